/** The team hub's side of the runs panel: when it asks the hub, and what it holds. */
import { describe, expect, it } from 'vitest';
import { TEAM_POLL_MIN_MS, TeamFeed } from '../../../extension/src/runs/teamFeed.js';
import { HubError, type HubStatus, type ITeamRuns, type RemoteRunList, type TeamRunsRequest } from '../../../extension/src/tokens.js';

const CONFIGURED: HubStatus = { configured: true, hub: 'postgres://reader@db:5432/team', reachable: true, schemaVersion: 1 };

/** A hub with no runs that fails when told to; records each request. */
function fakeHub(status: HubStatus = CONFIGURED) {
  const requests: TeamRunsRequest[] = [];
  const hub = {
    requests,
    fail: null as HubError | null,
    status: async () => status,
    runs: async (request: TeamRunsRequest = {}): Promise<RemoteRunList> => {
      requests.push(request);
      if (hub.fail) throw hub.fail;
      return { hub: status.hub, total: 0, runs: [] };
    },
    run: async () => {
      throw new Error('not used');
    },
  };
  return hub satisfies ITeamRuns;
}

describe('TeamFeed', () => {
  describe('#refresh()', () => {
    it('asks the hub at most every few seconds, backs off after errors, and keeps the last good list', async () => {
      let clock = 1_000_000;
      let changes = 0;
      const feed = new TeamFeed(() => clock, () => changes++);
      const hub = fakeHub();
      await feed.setSource(hub, 'lr < 0.1');
      expect(hub.requests).toEqual([{ query: 'lr < 0.1', sort: 'started', descending: true, limit: 200 }]);
      await feed.refresh('lr < 0.1');
      expect(hub.requests).toHaveLength(1); // not due yet
      clock += TEAM_POLL_MIN_MS;
      hub.fail = new HubError('The hub is not reachable.', 'hub-unreachable', 503);
      await feed.refresh('lr < 0.1');
      expect(hub.requests).toHaveLength(2);
      expect(feed.error).toBe('The hub is not reachable.');
      clock += TEAM_POLL_MIN_MS;
      await feed.refresh('lr < 0.1');
      expect(hub.requests).toHaveLength(2); // backed off to twice the delay
      clock += TEAM_POLL_MIN_MS;
      hub.fail = null;
      await feed.refresh('lr < 0.1');
      expect(hub.requests).toHaveLength(3);
      expect(feed.error).toBeNull();
      expect(changes).toBeGreaterThan(3);
    });

    it('does not back off for a query the hub refuses (400): that is the user\'s to fix', async () => {
      let clock = 0;
      const feed = new TeamFeed(() => clock, () => undefined);
      const hub = fakeHub();
      hub.fail = new HubError('Bad query', 'usage', 400);
      await feed.setSource(hub, 'lr <');
      clock += TEAM_POLL_MIN_MS;
      await feed.refresh('lr <');
      expect(hub.requests).toHaveLength(2);
    });

    it('never asks for runs when the server has no hub configured, or when hidden', async () => {
      const unconfigured = fakeHub({ configured: false, hub: null, reachable: false, schemaVersion: null });
      const feed = new TeamFeed(() => 0, () => undefined);
      await feed.setSource(unconfigured, '');
      await feed.refresh('', { force: true });
      expect(feed.available).toBe(false);
      expect(unconfigured.requests).toEqual([]);
      const hub = fakeHub();
      const hidden = new TeamFeed(() => 0, () => undefined);
      hidden.setShown(false, '');
      await hidden.setSource(hub, '');
      await hidden.refresh('', { force: true });
      expect(hub.requests).toEqual([]);
    });
  });
});
