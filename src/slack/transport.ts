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
export function createSlackFetch(): { fetch: typeof fetch; close(): Promise<void> } {
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
  return { fetch: slackFetch as typeof fetch, close: () => dispatcher.close() };
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
