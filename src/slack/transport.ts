import { webApi, type types } from '@slack/bolt';
import { Agent, request } from 'undici';

/** Statuses whose response may not have a body (the Fetch standard's "null body status"). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * The `fetch` the Slack Web API client uses: undici's `request` on a kept-alive connection
 * pool, answered as a standard `Response`. @slack/web-api takes any fetch; Node's global
 * one spent about twice the CPU per call (measured 0.8 vs 0.4 ms a `chat.update`, server
 * included), and a ticket change makes three calls. Redirects are not followed (the client
 * asks for `redirect: 'error'`, and treats any status but 200 and 429 as an error); a body
 * other than text (a file upload's form) goes through the global fetch.
 */
export function createSlackFetch(): { fetch: typeof fetch; messageUpdater(client: webApi.WebClient): MessageUpdater; close(): Promise<void> } {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  const slackFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = init.body;
    if (input instanceof Request || (body !== undefined && body !== null && typeof body !== 'string')) return fetch(input, init);
    const answer = await request(input, {
      method: (init.method ?? 'GET') as 'GET',
      headers: init.headers as Record<string, string> | undefined,
      body: body ?? null,
      signal: init.signal ?? undefined,
      dispatcher,
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
    }
    if (NULL_BODY_STATUSES.has(answer.statusCode)) {
      await answer.body.dump();
      return new Response(null, { status: answer.statusCode, headers });
    }
    return bufferedResponse(Buffer.from(await answer.body.arrayBuffer()), answer.statusCode, headers);
  };
  return {
    fetch: slackFetch as typeof fetch,
    messageUpdater: (client) => createMessageUpdater(client, dispatcher),
    close: () => dispatcher.close(),
  };
}

/** `chat.update` of a message the app posted: every ticket change sends one for its card. */
export type MessageUpdater = (message: { channel: string; ts: string; text: string; blocks: types.KnownBlock[] }) => Promise<void>;

/**
 * `client.chat.update`, its usual outcome sent and read straight over `dispatcher`: the form
 * Slack takes, the client's token and base URL, `ok: true` read back. The Web API client's
 * work around a call (its debug lines, built whether logged or not, walk and serialise every
 * block of the card; its queue, retry wrapper and Response) cost about 0.25 ms of the 0.5-0.7 ms
 * a card update took, client and fake Slack together; under 50 concurrent Claim clicks the
 * product's main thread spent 1.3-1.35 ms a click without it, against 1.6-1.8 (bench:slack).
 * Every other outcome is the client's, as if it alone had called: `ok: false` throws its
 * WebAPIPlatformError (which it does not retry); a rate limit, any other HTTP status or a failed
 * request hands the call to the client, which retries, waits out a Retry-After or fails as it
 * is configured to (a message updated twice to the same content is unchanged).
 */
function createMessageUpdater(client: webApi.WebClient, dispatcher: Agent): MessageUpdater {
  const url = new URL('chat.update', client.slackApiUrl.endsWith('/') ? client.slackApiUrl : `${client.slackApiUrl}/`).toString();
  const headers = {
    authorization: `Bearer ${client.token ?? ''}`,
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    'user-agent': 'helpdesk-for-slack',
  };
  /** The call's answer when Slack sent one with HTTP 200; undefined for anything the client should handle. */
  const post = async (message: Parameters<MessageUpdater>[0]): Promise<webApi.WebAPICallResult | undefined> => {
    const body = new URLSearchParams({ channel: message.channel, ts: message.ts, text: message.text, blocks: JSON.stringify(message.blocks) }).toString();
    const answer = await request(url, { method: 'POST', headers, body, dispatcher });
    if (answer.statusCode !== 200) {
      await answer.body.dump();
      return undefined;
    }
    return (await answer.body.json()) as webApi.WebAPICallResult;
  };
  return async (message) => {
    const result = await post(message).catch(() => undefined);
    if (result === undefined) await client.chat.update(message);
    else if (result.ok !== true) throw new webApi.WebAPIPlatformError(result as webApi.WebAPICallResult & { error: string });
  };
}

/**
 * A standard Response (status, headers, ok, url...) whose body methods read the bytes
 * already received. `new Response(bytes)` would wrap them in a web stream first, to be read
 * back whole at once: 70 µs a call against 17 µs (measured), on every Web API call.
 * `body` is null (and `clone()`, `blob()` and `formData()` see no body): the Web API client
 * and Bolt read answers with `text()` (and `arrayBuffer()` for gzip), never otherwise.
 */
function bufferedResponse(content: Buffer, status: number, headers: Headers): Response {
  const response = new Response(null, { status, headers });
  let used = false;
  const take = () => {
    if (used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    used = true;
    return Promise.resolve(content);
  };
  return Object.defineProperties(response, {
    bodyUsed: { get: () => used },
    text: { value: () => take().then((bytes) => bytes.toString('utf8')) },
    json: { value: () => take().then((bytes) => JSON.parse(bytes.toString('utf8')) as unknown) },
    arrayBuffer: { value: () => take().then((bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) },
  });
}
