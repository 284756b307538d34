import type { Context, RespondArguments, RespondFn } from '@slack/bolt';
import { section, type KnownBlock } from '../blocks/elements.js';
import { userText } from '../blocks/text.js';
import type { ListenerDeps } from '../listeners/shared.js';
import { tenantOf } from '../listeners/shared.js';
import { parseHomePages } from './view.js';

/** A click's payload, as far as where it came from goes. */
interface ClickOrigin {
  user: { id: string };
  view?: { type?: string; private_metadata?: string } | undefined;
}

/** Whether a block action was clicked in the App Home (not a message or a modal). */
export function fromHome(body: ClickOrigin): boolean {
  return body.view?.type === 'home';
}

/**
 * Answers for a click in the App Home, which has no response_url: what a listener would say
 * privately is shown on top of the clicker's Home, republished at once. `done()` republishes
 * the Home when nothing was said (the click changed something: the Home shows it now).
 */
export function homeResponder(deps: ListenerDeps, context: Context, body: ClickOrigin): { respond: RespondFn; done(): void } {
  const pages = parseHomePages(body.view?.private_metadata);
  let told = false;
  const show = (notice?: KnownBlock[]) => {
    let tenantId: string;
    try {
      tenantId = tenantOf(context);
    } catch {
      return;
    }
    deps.showHome?.(tenantId, body.user.id, { pages, ...(notice ? { notice } : {}) });
  };
  const respond = (async (message: string | RespondArguments) => {
    told = true;
    show(noticeOf(message));
  }) as unknown as RespondFn;
  return {
    respond,
    done() {
      if (!told) show();
    },
  };
}

/** A message meant for a response_url, as blocks for the top of a Home. */
function noticeOf(message: string | RespondArguments): KnownBlock[] {
  if (typeof message === 'string') return [section(userText(message, 500))];
  const blocks = (message as { blocks?: KnownBlock[] }).blocks;
  if (Array.isArray(blocks) && blocks.length > 0) return blocks.map(({ block_id: _id, ...block }) => block as KnownBlock);
  return [section(typeof message.text === 'string' ? message.text : 'Something went wrong.')];
}
