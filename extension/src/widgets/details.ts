/**
 * One run's details in the runs panel, shown when a single run is selected: its tags, error,
 * resumes, saved models and what its process printed (the captured output's tail). Everything from the
 * store is untrusted text: it goes into the page through textContent only.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { decodeNumber, formatNumber, outputTail, plainTerminalText, type RunOutput, type RunRecord, formatBytes, hasTags, tagValueText } from 'trainbook/core';
import type { PanelRow } from '../runs/panelRows.js';
import { el } from './dom.js';

/** Characters of captured output the panel shows (the rest is in the store and in reports). */
export const OUTPUT_TAIL_CHARS = 20_000;

/** The lines of the output section's note: what was cut by the writer and what the panel leaves out. */
export function outputNotes(output: RunOutput, omittedChars: number, trans: Pick<TranslationBundle, '__'>): string[] {
  const notes: string[] = [];
  if (omittedChars > 0) notes.push(trans.__('%1 earlier characters not shown (see the report or `trainbook show`).', omittedChars.toLocaleString('en-US')));
  if (output.cutAfterBytes !== null) notes.push(trans.__("Output was cut after %1 (the run's capture cap).", formatBytes(output.cutAfterBytes)));
  return notes;
}

/** The run's tags, one element each: labels, then key-value tags as `key=value` (with the key in `data-tag-key`). */
function tagsLine(record: RunRecord, trans: TranslationBundle): HTMLElement {
  const line = el('p', 'tb-RunDetails-tags');
  line.append(el('span', 'tb-RunDetails-label', trans.__('Tags: ')));
  const tags = [...record.tags.map((label) => el('span', 'tb-RunDetails-tag', label))];
  for (const [key, value] of Object.entries(record.tagValues ?? {})) {
    const tag = el('span', 'tb-RunDetails-tag', `${key}=${tagValueText(value)}`);
    tag.dataset.tagKey = key;
    tags.push(tag);
  }
  tags.forEach((tag, i) => line.append(...(i > 0 ? [', '] : []), tag));
  return line;
}

export class RunDetailsView {
  readonly node = el('section', 'tb-RunDetails');
  private generation = 0;

  constructor(private readonly trans: TranslationBundle) {
    this.node.hidden = true;
  }

  clear(): void {
    this.generation++;
    this.node.replaceChildren();
    this.node.hidden = true;
    delete this.node.dataset.runId;
  }

  /**
   * Shows a run; `output` is read after (a run's events can be large), so it comes as a promise
   * (null for a team run: its output stays on the hub).
   */
  async show(row: PanelRow, output: Promise<RunOutput> | null): Promise<void> {
    const { trans } = this;
    const { record, archive, remote } = row;
    const generation = ++this.generation;
    this.node.replaceChildren();
    this.node.hidden = false;
    this.node.dataset.runId = record.id;
    this.node.append(el('h3', undefined, trans.__('Run %1', record.name)));
    if (remote) {
      const line = el('p', 'tb-RunDetails-remote', trans.__('On the team hub: from %1 on %2, store %3', remote.user, remote.host, remote.store));
      line.dataset.host = remote.host;
      line.dataset.user = remote.user;
      this.node.append(line);
    }
    if (archive) this.node.append(el('p', 'tb-RunDetails-archive', trans.__('Archived as %1: kept, never pruned.', archive)));
    if (hasTags(record)) this.node.append(tagsLine(record, trans));
    if (record.error) {
      const error = el('div', 'tb-RunDetails-error');
      error.append(el('strong', undefined, `${record.error.name}: ${record.error.message}`));
      if (record.error.stack) error.append(el('pre', undefined, record.error.stack));
      this.node.append(error);
    }
    if (record.resumes && record.resumes.length > 0) {
      const list = el('ul', 'tb-RunDetails-resumes');
      for (const resume of record.resumes) list.append(el('li', undefined, trans.__('resumed at step %1 (%2, was %3)', resume.fromStep, new Date(resume.at).toLocaleString(), resume.fromStatus)));
      this.node.append(el('h4', undefined, trans.__('Resumes')), list);
    }
    const models = Object.entries(record.models ?? {});
    if (models.length > 0) {
      const table = el('table', 'tb-RunDetails-models');
      const head = el('tr');
      head.append(...[trans.__('model'), trans.__('epoch'), trans.__('kept for'), trans.__('size')].map((t) => el('th', undefined, t)));
      table.append(head);
      for (const [tag, model] of models) {
        const row = el('tr');
        row.dataset.tag = tag;
        const kept = model.metric ? `${model.metric.name} ${formatNumber(decodeNumber(model.metric.value))}` : '';
        row.append(el('td', undefined, tag), el('td', undefined, model.epoch === null ? '' : String(model.epoch)), el('td', undefined, kept), el('td', undefined, formatBytes(model.bytes)));
        table.append(row);
      }
      this.node.append(el('h4', undefined, trans.__('Saved models')), table);
    }
    const outputSection = el('div', 'tb-RunDetails-output');
    outputSection.append(el('h4', undefined, trans.__('Output')));
    this.node.append(outputSection);
    if (output === null) {
      outputSection.append(el('p', 'tb-RunDetails-empty', trans.__('What this run printed stays on the hub: `trainbook pull` copies the run into a local store.')));
      return;
    }
    outputSection.append(el('p', 'tb-RunDetails-empty', trans.__('Reading…')));
    let captured: RunOutput;
    try {
      captured = await output;
    } catch (error) {
      if (generation !== this.generation) return;
      outputSection.lastElementChild!.textContent = trans.__('Output unavailable: %1', error instanceof Error ? error.message : String(error));
      return;
    }
    if (generation !== this.generation) return;
    const { text, omittedChars } = outputTail(captured, OUTPUT_TAIL_CHARS);
    outputSection.lastElementChild!.remove();
    if (text === '') {
      outputSection.append(el('p', 'tb-RunDetails-empty', trans.__('Nothing was printed while this run was active.')));
      return;
    }
    for (const note of outputNotes(captured, omittedChars, trans)) outputSection.append(el('p', 'tb-RunDetails-note', note));
    outputSection.append(el('pre', 'tb-RunDetails-text', plainTerminalText(text)));
  }
}
