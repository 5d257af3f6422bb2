/**
 * The runs' refresh interval from the cell experiments' settings (`pollIntervalSeconds`), which
 * the runs panel and every dashboard follow: read once, then again on each change.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { EXPERIMENTS_PLUGIN_ID } from '../tokens.js';

/** Seconds between polls when the setting is missing or not a number. */
export const DEFAULT_POLL_SECONDS = 3;

/** Calls `apply` with the setting's seconds now and whenever it changes (a failed load leaves the default). */
export function followPollSeconds(registry: ISettingRegistry, apply: (seconds: number) => void): void {
  void registry
    .load(EXPERIMENTS_PLUGIN_ID)
    .then((loaded) => {
      const read = (): void => {
        const seconds = loaded.get('pollIntervalSeconds').composite;
        apply(typeof seconds === 'number' ? seconds : DEFAULT_POLL_SECONDS);
      };
      read();
      loaded.changed.connect(read);
    })
    .catch(() => undefined);
}
