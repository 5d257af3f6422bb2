/**
 * The transport of `HubSource` in the lab: a GET to trainbook's server extension with the user's
 * Jupyter session (`ServerConnection`: token or cookie, XSRF), under the server's base URL.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type { HubFetch } from './hubSource.js';

/** GETs `trainbook/api/hub/<path>` from the Jupyter server these settings name. */
export function serverHubFetch(settings: ServerConnection.ISettings = ServerConnection.makeSettings()): HubFetch {
  const base = URLExt.join(settings.baseUrl, 'trainbook', 'api', 'hub');
  // Not `no-store` (the settings' default): for it ServerConnection appends a cache-busting
  // parameter, which the endpoints refuse (they take only their own parameters). They answer
  // `Cache-Control: no-store` themselves.
  return (path) => ServerConnection.makeRequest(`${base}/${path}`, { method: 'GET', cache: 'no-cache' }, settings);
}
