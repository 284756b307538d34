import type { webApi } from '@slack/bolt';

/** Where the app stands with a team's channel once the team is saved. */
export type ChannelStanding =
  /** The app is in it (it joined the public channel, or was invited to the private one). */
  | { kind: 'in' }
  /** A private channel the app is not in: someone has to `/invite` it. */
  | { kind: 'invite_needed' }
  /** Slack refused for another reason (archived, unknown channel, a missing scope): its error code. */
  | { kind: 'failed'; error: string };

/**
 * Gets the app into a team's channel where it can: joins a public one (`conversations.join`,
 * which Slack answers `method_not_supported_for_channel_type` for a private one). For a private
 * channel, `conversations.info` tells whether the app was invited: Slack shows the app only the
 * private channels it is in, so `channel_not_found` there means it is not.
 */
export async function joinTeamChannel(client: webApi.WebClient, channel: string): Promise<ChannelStanding> {
  try {
    await client.conversations.join({ channel });
    return { kind: 'in' };
  } catch (error) {
    const code = slackErrorOf(error);
    if (code !== 'method_not_supported_for_channel_type') return { kind: 'failed', error: code ?? 'unknown_error' };
  }
  try {
    const info = await client.conversations.info({ channel });
    return info.channel?.is_member ? { kind: 'in' } : { kind: 'invite_needed' };
  } catch (error) {
    const code = slackErrorOf(error);
    return code === 'channel_not_found' ? { kind: 'invite_needed' } : { kind: 'failed', error: code ?? 'unknown_error' };
  }
}

function slackErrorOf(error: unknown): string | undefined {
  const code = (error as { data?: { error?: unknown } } | undefined)?.data?.error;
  return typeof code === 'string' ? code : undefined;
}
