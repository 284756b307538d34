import { createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { pingDatabase, type Db } from '../db/client.js';
import { InsufficientScopeError, PreconditionFailedError } from '../domain/errors.js';
import { personOfSubject } from '../domain/people.js';
import { authorize, type Access, type SlackRoleLookup } from '../domain/roles.js';
import type { Scope } from '../domain/scope.js';
import { createSlaPolicy, getSlaPolicy, listSlaPolicies, updateSlaPolicy, type SlaPolicyListInput } from '../domain/sla/policies.js';
import { createTeam, getTeam, listTeams, updateTeam } from '../domain/teams.js';
import { runIdempotently, type StoredResponse } from '../domain/idempotency.js';
import { assertStorableText, MAX_INPUT_DEPTH } from '../domain/input.js';
import { getTenantSettings, updateTenantSettings } from '../domain/tenants.js';
import { addComment, deleteComment, editComment, getComment, listComments, type CommentListener, type CommentListInput } from '../domain/tickets/comments.js';
import { getTicket, listTickets } from '../domain/tickets/queries.js';
import type { TicketListInput } from '../domain/tickets/schemas.js';
import { closeTicket, createTicket, deleteTicket, updateTicket, type TicketChangeListener } from '../domain/tickets/tickets.js';
import { AuthError, insufficientScopeChallenge, type Principal, wwwAuthenticate } from './auth.js';
import { buildOpenApiDocument } from './openapi.js';
import { API_PREFIX, OPENAPI_PATH } from './paths.js';

export { API_PREFIX };
import {
  DATABASE_RETRY_AFTER_SECONDS,
  databaseUnavailable,
  problem,
  problemFromError,
  PROBLEM_CONTENT_TYPE,
  type Problem,
} from './problem.js';
import { commentToWire, etagOf, slaPolicyToWire, teamToWire, ticketToWire, versionFromIfMatch } from './wire.js';

export interface HttpAppDeps {
  db: Db;
  authenticate: (authorizationHeader: string | undefined) => Promise<Principal>;
  now?: () => Date;
  /** Called for 5xx errors, which the client sees only as a generic problem. */
  onError?: (error: unknown) => void;
  /** Hears every ticket change made through the API (the Slack notifier updates cards with it). */
  onTicketChange?: TicketChangeListener | undefined;
  /** Hears every comment written, edited or deleted through the API (the Slack side mirrors it into the threads). */
  onComment?: CommentListener | undefined;
  /** Bolt's receiver router (`POST /slack/events`), mounted beside the API on the same server. */
  slackRouter?: express.RequestHandler | undefined;
  /** Asks Slack whether a user is a workspace admin or owner (helpdesk admins); absent without Slack. */
  slackRoles?: SlackRoleLookup | undefined;
}

const BODY_LIMIT = '256kb';

type Handler = (req: Request, res: Response, scope: Scope) => Promise<void>;

/** A create's answer, in the shape the idempotency store keeps. */
interface Answer extends StoredResponse {
  body: { headers: Record<string, string>; payload: unknown };
}

function created(payload: unknown, location: string, etag?: string): Answer {
  return { status: 201, body: { headers: { Location: location, ...(etag ? { ETag: etag } : {}) }, payload } };
}

/**
 * The REST surface. Routes only translate: authenticate, parse, call the domain,
 * render snake_case JSON; every error leaves as application/problem+json.
 */
export function createHttpApp(deps: HttpAppDeps): express.Express {
  const now = deps.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Bolt reads and verifies the raw body itself: mounted before any body parser.
  if (deps.slackRouter) app.use(deps.slackRouter);
  const openApiDocument = buildOpenApiDocument();
  app.get(OPENAPI_PATH, (_req, res) => {
    res.json(openApiDocument);
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await pingDatabase(deps.db);
      res.json({ status: 'ready' });
    } catch (error) {
      deps.onError?.(error);
      sendProblem(res, databaseUnavailable());
    }
  });

  const api = express.Router();
  api.use(requireJsonBody);
  api.use(express.json({ limit: BODY_LIMIT, strict: true, type: 'application/json', verify: refuseDeepJson }));

  /**
   * Authenticates, builds the scope, authorizes the kind of call (`access`: the integration
   * token's scope, the admin rule for configuration), runs the handler, and turns any
   * failure into a problem. Rules that need the record are decided by the domain write.
   */
  const route =
    (access: Access, handler: Handler) =>
    async (req: Request, res: Response): Promise<void> => {
      let principal: Principal;
      try {
        principal = await deps.authenticate(req.header('authorization'));
      } catch (error) {
        if (error instanceof AuthError) {
          res.setHeader('WWW-Authenticate', wwwAuthenticate(error));
          sendProblem(res, problem(401, 'unauthorized', 'Unauthorized', error.message));
          return;
        }
        return fail(res, error, req.originalUrl);
      }
      try {
        const at = now();
        const scope: Scope = {
          tenantId: principal.tenantId,
          appId: principal.appId,
          tokenScopes: principal.scopes,
          // A human token acts as its person: a Slack user id in `sub` is that user's person.
          actorId: principal.appId ? principal.personId : await personOfSubject(deps.db, principal.tenantId, principal.personId, at),
          sourceType: 'api',
          now: at,
        };
        await authorize(deps.db, scope, access, { slackRoles: deps.slackRoles });
        assertStorableRequest(req);
        await handler(req, res, scope);
      } catch (error) {
        if (error instanceof InsufficientScopeError) {
          res.setHeader('WWW-Authenticate', insufficientScopeChallenge(error.requiredScope));
        }
        fail(res, error, req.originalUrl);
      }
    };

  const fail = (res: Response, error: unknown, instance: string) => {
    const details = problemFromError(error, instance);
    if (details.status >= 500) deps.onError?.(error);
    sendProblem(res, details);
  };

  /** `If-Match` as the domain's optimistic-concurrency options; the domain compares under its row lock. */
  const ifMatch = (req: Request) => {
    const version = versionFromIfMatch(req.header('if-match'));
    if (version === 'unmatchable') throw new PreconditionFailedError('If-Match does not name a version of this record');
    // `*` (RFC 9110): any current version; a missing record is still a 404.
    return version === 'any' || version === undefined ? {} : version;
  };

  /**
   * A create honours `Idempotency-Key`: a retry gets the first answer (status, headers
   * and body, kept in the database) instead of a second record.
   */
  const create = async (req: Request, res: Response, scope: Scope, execute: () => Promise<Answer>) => {
    const key = req.header('idempotency-key');
    const bodyHash = createHash('sha256').update(JSON.stringify(req.body ?? null)).digest('hex');
    const result = key
      ? await runIdempotently(
          deps.db,
          {
            tenantId: scope.tenantId,
            caller: `${scope.appId ?? ''}:${scope.actorId ?? ''}`,
            key,
            fingerprint: `${req.method} ${req.baseUrl}${req.path} ${bodyHash}`,
            now: scope.now,
          },
          execute,
        )
      : { ...(await execute()), replayed: false };
    const { headers, payload } = result.body as Answer['body'];
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.status(result.status).json(payload);
  };

  // Tickets
  api.get(
    '/tickets',
    route('read', async (req, res, scope) => {
      const page = await listTickets(deps.db, scope, req.query as TicketListInput);
      res.json({ items: page.items.map(ticketToWire), next_cursor: page.next_cursor });
    }),
  );
  api.post(
    '/tickets',
    route('write', async (req, res, scope) => {
      await create(req, res, scope, async () => {
        const ticket = await createTicket(deps.db, scope, req.body, { onChange: deps.onTicketChange });
        return created(ticketToWire(ticket), `${API_PREFIX}/tickets/${ticket.id}`, etagOf(ticket));
      });
    }),
  );
  api.get(
    '/tickets/:id',
    route('read', async (req, res, scope) => {
      const ticket = await getTicket(deps.db, scope, String(req.params.id));
      res.setHeader('ETag', etagOf(ticket)).json(ticketToWire(ticket));
    }),
  );
  api.patch(
    '/tickets/:id',
    route('write', async (req, res, scope) => {
      const { ticket } = await updateTicket(deps.db, scope, String(req.params.id), req.body, {
        ...ifMatch(req),
        onChange: deps.onTicketChange,
        permission: 'update',
      });
      res.setHeader('ETag', etagOf(ticket)).json(ticketToWire(ticket));
    }),
  );
  api.delete(
    '/tickets/:id',
    route('write', async (req, res, scope) => {
      await deleteTicket(deps.db, scope, String(req.params.id), { ...ifMatch(req), onChange: deps.onTicketChange, permission: 'delete' });
      res.status(204).end();
    }),
  );
  api.post(
    '/tickets/:id/close',
    route('write', async (req, res, scope) => {
      const { ticket } = await closeTicket(deps.db, scope, String(req.params.id), {
        ...ifMatch(req),
        onChange: deps.onTicketChange,
        permission: 'close',
      });
      res.setHeader('ETag', etagOf(ticket)).json(ticketToWire(ticket));
    }),
  );

  // Comments: the ticket's conversation.
  api.get(
    '/tickets/:id/comments',
    route('read', async (req, res, scope) => {
      const page = await listComments(deps.db, scope, String(req.params.id), req.query as CommentListInput);
      res.json({ items: page.items.map(commentToWire), next_cursor: page.next_cursor });
    }),
  );
  api.post(
    '/tickets/:id/comments',
    route('write', async (req, res, scope) => {
      await create(req, res, scope, async () => {
        const { comment } = await addComment(deps.db, scope, String(req.params.id), req.body, {
          onChange: deps.onTicketChange,
          onComment: deps.onComment,
        });
        return created(commentToWire(comment), `${API_PREFIX}/tickets/${comment.ticketId}/comments/${comment.id}`);
      });
    }),
  );
  api.get(
    '/tickets/:id/comments/:comment_id',
    route('read', async (req, res, scope) => {
      res.json(commentToWire(await getComment(deps.db, scope, String(req.params.id), String(req.params.comment_id))));
    }),
  );
  api.patch(
    '/tickets/:id/comments/:comment_id',
    route('write', async (req, res, scope) => {
      const comment = await editComment(deps.db, scope, String(req.params.id), String(req.params.comment_id), req.body, { onComment: deps.onComment });
      res.json(commentToWire(comment));
    }),
  );
  api.delete(
    '/tickets/:id/comments/:comment_id',
    route('write', async (req, res, scope) => {
      await deleteComment(deps.db, scope, String(req.params.id), String(req.params.comment_id), { onComment: deps.onComment });
      res.status(204).end();
    }),
  );

  // SLA policies
  api.get(
    '/sla-policies',
    route('read', async (req, res, scope) => {
      const page = await listSlaPolicies(deps.db, scope, req.query as SlaPolicyListInput);
      res.json({ items: page.items.map(slaPolicyToWire), next_cursor: page.next_cursor });
    }),
  );
  api.post(
    '/sla-policies',
    route('configure', async (req, res, scope) => {
      await create(req, res, scope, async () => {
        const policy = await createSlaPolicy(deps.db, scope, req.body);
        return created(slaPolicyToWire(policy), `${API_PREFIX}/sla-policies/${policy.id}`, etagOf(policy));
      });
    }),
  );
  api.get(
    '/sla-policies/:id',
    route('read', async (req, res, scope) => {
      const policy = await getSlaPolicy(deps.db, scope, String(req.params.id));
      res.setHeader('ETag', etagOf(policy)).json(slaPolicyToWire(policy));
    }),
  );
  api.patch(
    '/sla-policies/:id',
    route('configure', async (req, res, scope) => {
      const policy = await updateSlaPolicy(deps.db, scope, String(req.params.id), req.body, ifMatch(req));
      res.setHeader('ETag', etagOf(policy)).json(slaPolicyToWire(policy));
    }),
  );

  // Teams and settings: the configuration the Slack side needs.
  api.get(
    '/teams',
    route('read', async (_req, res, scope) => {
      res.json({ items: (await listTeams(deps.db, scope.tenantId)).map(teamToWire), next_cursor: null });
    }),
  );
  api.post(
    '/teams',
    route('configure', async (req, res, scope) => {
      await create(req, res, scope, async () => {
        const team = await createTeam(deps.db, scope, req.body);
        return created(teamToWire(team), `${API_PREFIX}/teams/${team.id}`);
      });
    }),
  );
  api.get(
    '/teams/:id',
    route('read', async (req, res, scope) => {
      res.json(teamToWire(await getTeam(deps.db, scope.tenantId, String(req.params.id))));
    }),
  );
  api.patch(
    '/teams/:id',
    route('configure', async (req, res, scope) => {
      res.json(teamToWire(await updateTeam(deps.db, scope, String(req.params.id), req.body)));
    }),
  );
  api.get(
    '/settings',
    route('read', async (_req, res, scope) => {
      res.json(await getTenantSettings(deps.db, scope));
    }),
  );
  api.put(
    '/settings',
    route('configure', async (req, res, scope) => {
      res.json(await updateTenantSettings(deps.db, scope, req.body));
    }),
  );

  app.use(API_PREFIX, api);
  app.use((req, res) => {
    sendProblem(res, { ...problem(404, 'not_found', 'Not found', `No route for ${req.method} ${req.path}`), instance: req.originalUrl });
  });
  // Body parser failures (malformed JSON, oversize payloads) and anything else that escaped a route.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.parse.failed') {
      return sendProblem(res, problem(400, 'malformed_json', 'Malformed JSON', 'The request body is not valid JSON'));
    }
    if (type === JSON_TOO_DEEP) {
      const message = `Arrays and objects nest deeper than ${MAX_INPUT_DEPTH} levels (at byte ${(error as { offset?: number }).offset})`;
      return sendProblem(res, { ...problem(400, 'json_too_deep', 'JSON too deep', message), errors: [{ path: '', pointer: '', message }] });
    }
    if (error instanceof URIError && (error as { status?: number }).status === 400) {
      // Express's router could not percent-decode a path segment (`/tickets/%`): a record id (`id` or `comment_id`).
      const message = 'Not valid percent-encoded UTF-8';
      return sendProblem(res, {
        ...problem(400, 'malformed_path', 'Malformed path', `The record id in the path is ${message.charAt(0).toLowerCase()}${message.slice(1)}`),
        errors: [{ path: 'id', pointer: '/id', message }],
        instance: req.originalUrl,
      });
    }
    if (type === 'entity.too.large') {
      return sendProblem(res, problem(413, 'payload_too_large', 'Payload too large', `The body exceeds ${BODY_LIMIT}`));
    }
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return sendProblem(res, problem(415, 'unsupported_media_type', 'Unsupported media type', 'Send UTF-8 JSON'));
    }
    // Any other request the body reader refused as the client's fault (broken compression,
    // a body shorter than its Content-Length, an unknown Content-Encoding): its 4xx, as a problem.
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendProblem(res, { ...problem(status, 'unreadable_body', 'Unreadable body', 'The request body could not be read as sent'), instance: req.originalUrl });
    }
    fail(res, error, req.originalUrl);
  });
  return app;
}

const JSON_TOO_DEEP = 'entity.too.deep';

/**
 * body-parser's `verify` hook, run on the raw bytes before `JSON.parse`: a body nested
 * deeper than MAX_INPUT_DEPTH is refused here, so no recursive walk (the schemas,
 * `JSON.stringify` of the idempotency fingerprint) ever sees it. One pass, no allocation.
 */
function refuseDeepJson(_req: Request, _res: Response, body: Buffer, encoding: string): void {
  // Byte-wise scanning is exact for UTF-8 only (no ASCII byte occurs inside a multi-byte character).
  if (encoding.toLowerCase() !== 'utf-8' && encoding.toLowerCase() !== 'utf8') {
    throw Object.assign(new Error('Only UTF-8 JSON is accepted'), { type: 'charset.unsupported' });
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (inString) {
      if (byte === 0x5c) i++; // backslash: the next byte is escaped
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > MAX_INPUT_DEPTH) throw Object.assign(new Error('JSON too deep'), { type: JSON_TOO_DEEP, offset: i });
    } else if (byte === 0x5d || byte === 0x7d) {
      depth--;
    }
  }
}

/**
 * Path ids, query values and the body, checked for text the database cannot store before
 * any route sees them: one rule for every route, the field named in the problem.
 */
function assertStorableRequest(req: Request): void {
  assertStorableText(req.params);
  assertStorableText(req.query);
  assertStorableText(req.body);
}

/** Writes with a body must say they are JSON; anything else is refused before parsing. */
function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  const hasBody = req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT';
  const length = Number(req.header('content-length') ?? 0);
  if (hasBody && (length > 0 || req.header('transfer-encoding')) && !req.is('application/json')) {
    sendProblem(
      res,
      problem(415, 'unsupported_media_type', 'Unsupported media type', 'Send the body as application/json'),
    );
    return;
  }
  next();
}

function sendProblem(res: Response, details: Problem): void {
  // An outage passes: tell clients when to try again rather than let them hammer or give up.
  if (details.code === 'database_unavailable') res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
  res.status(details.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(details));
}
