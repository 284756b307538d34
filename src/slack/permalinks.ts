import type { webApi } from '@slack/bolt';
import type { Logger } from '../log.js';

export type Permalinks = (channel: string, messageTs: string) => Promise<string | undefined>;

/**
 * Links to top-level messages the app posted (ticket cards). Slack's permalink of such a
 * message is `{workspace url}archives/{channel}/p{ts without the dot}`; the workspace url
 * comes from `auth.test` once, which saves a `chat.getPermalink` call per DM and alert.
 * Until `auth.test` has answered (or if it fails), `chat.getPermalink` is used instead.
 */
export function createPermalinks(client: webApi.WebClient, log: Logger): Permalinks {
  let workspaceUrl: Promise<string | undefined> | undefined;
  const base = () => {
    workspaceUrl ??= client.auth.test().then(
      (answer) => answer.url,
      () => {
        workspaceUrl = undefined; // Ask again next time.
        return undefined;
      },
    );
    return workspaceUrl;
  };
  return async (channel, messageTs) => {
    const url = await base();
    if (url) return `${url.endsWith('/') ? url : `${url}/`}archives/${channel}/p${messageTs.replace('.', '')}`;
    try {
      return (await client.chat.getPermalink({ channel, message_ts: messageTs })).permalink;
    } catch (error) {
      log.warn('slack: chat.getPermalink failed', { channel, error: String(error) });
      return undefined;
    }
  };
}
