/**
 * One run's details in the runs panel, shown when a single run is selected: its tags, error,
 * resumes, saved models and what its process printed (the captured output's tail). Everything from the
 * store is untrusted text: it goes into the page through textContent only.
 */
import { decodeNumber, formatNumber, outputTail, plainTerminalText, type RunOutput, type RunRecord, formatBytes, hasTags, tagValueText } from 'trainbook/core';

/** Characters of captured output the panel shows (the rest is in the store and in reports). */
export const OUTPUT_TAIL_CHARS = 20_000;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The lines of the output section's note: what was cut by the writer and what the panel leaves out. */
export function outputNotes(output: RunOutput, omittedChars: number): string[] {
  const notes: string[] = [];
  if (omittedChars > 0) notes.push(`${omittedChars.toLocaleString('en-US')} earlier characters not shown (see the report or \`trainbook show\`).`);
  if (output.cutAfterBytes !== null) notes.push(`Output was cut after ${formatBytes(output.cutAfterBytes)} (the run's capture cap).`);
  return notes;
}

/** The run's tags, one element each: labels, then key-value tags as `key=value` (with the key in `data-tag-key`). */
function tagsLine(record: RunRecord): HTMLElement {
  const line = el('p', 'tb-RunDetails-tags');
  line.append(el('span', 'tb-RunDetails-label', 'Tags: '));
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

  constructor() {
    this.node.hidden = true;
  }

  clear(): void {
    this.generation++;
    this.node.replaceChildren();
    this.node.hidden = true;
    delete this.node.dataset.runId;
  }

  /** Shows `record`; `output` is read after (a run's events can be large), so it comes as a promise. */
  async show(record: RunRecord, output: Promise<RunOutput>, archive: string | null = null): Promise<void> {
    const generation = ++this.generation;
    this.node.replaceChildren();
    this.node.hidden = false;
    this.node.dataset.runId = record.id;
    this.node.append(el('h3', undefined, `Run ${record.name}`));
    if (archive) this.node.append(el('p', 'tb-RunDetails-archive', `Archived as ${archive}: kept, never pruned.`));
    if (hasTags(record)) this.node.append(tagsLine(record));
    if (record.error) {
      const error = el('div', 'tb-RunDetails-error');
      error.append(el('strong', undefined, `${record.error.name}: ${record.error.message}`));
      if (record.error.stack) error.append(el('pre', undefined, record.error.stack));
      this.node.append(error);
    }
    if (record.resumes && record.resumes.length > 0) {
      const list = el('ul', 'tb-RunDetails-resumes');
      for (const resume of record.resumes) list.append(el('li', undefined, `resumed at step ${resume.fromStep} (${new Date(resume.at).toLocaleString()}, was ${resume.fromStatus})`));
      this.node.append(el('h4', undefined, 'Resumes'), list);
    }
    const models = Object.entries(record.models ?? {});
    if (models.length > 0) {
      const table = el('table', 'tb-RunDetails-models');
      const head = el('tr');
      head.append(...['model', 'epoch', 'kept for', 'size'].map((t) => el('th', undefined, t)));
      table.append(head);
      for (const [tag, model] of models) {
        const row = el('tr');
        row.dataset.tag = tag;
        const kept = model.metric ? `${model.metric.name} ${formatNumber(decodeNumber(model.metric.value))}` : '';
        row.append(el('td', undefined, tag), el('td', undefined, model.epoch === null ? '' : String(model.epoch)), el('td', undefined, kept), el('td', undefined, formatBytes(model.bytes)));
        table.append(row);
      }
      this.node.append(el('h4', undefined, 'Saved models'), table);
    }
    const outputSection = el('div', 'tb-RunDetails-output');
    outputSection.append(el('h4', undefined, 'Output'), el('p', 'tb-RunDetails-empty', 'Reading…'));
    this.node.append(outputSection);
    let captured: RunOutput;
    try {
      captured = await output;
    } catch (error) {
      if (generation !== this.generation) return;
      outputSection.lastElementChild!.textContent = `Output unavailable: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    if (generation !== this.generation) return;
    const { text, omittedChars } = outputTail(captured, OUTPUT_TAIL_CHARS);
    outputSection.lastElementChild!.remove();
    if (text === '') {
      outputSection.append(el('p', 'tb-RunDetails-empty', 'Nothing was printed while this run was active.'));
      return;
    }
    for (const note of outputNotes(captured, omittedChars)) outputSection.append(el('p', 'tb-RunDetails-note', note));
    outputSection.append(el('pre', 'tb-RunDetails-text', plainTerminalText(text)));
  }
}
