import type { ActionArgs } from './ticket-buttons.js';

/** "View ticket" is a link button; Slack still sends its click, which wants an ack. */
export function handleOpenLink() {
  return async ({ ack }: ActionArgs): Promise<void> => {
    await ack();
  };
}
