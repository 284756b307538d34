import * as jose from 'jose';
import { isStorableText } from '../domain/input.js';
import { parseScopeClaim, type IntegrationScope } from '../domain/roles.js';

/**
 * Who is calling the REST API, taken from a verified bearer JWT: a person (a human token,
 * no `app_id`: acts with that person's roles), or an integration (`app_id`: its `scope`
 * claim decides what it may do).
 */
export interface Principal {
  tenantId: string;
  personId: string;
  appId: string | null;
  /** An integration token's scopes (none when it carries no `scope` claim); absent on human tokens. */
  scopes?: IntegrationScope[];
}

/**
 * How bearer tokens are verified. `jwtSecret` enables HS256; `jwksUrl` enables
 * RS256/ES256 against a remote key set. Empty strings count as unset.
 */
export interface AuthConfig {
  jwtSecret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export type AuthErrorCode = 'missing_token' | 'invalid_token' | 'expired_token' | 'missing_claims';

/** A request could not be authenticated. The message never contains the token. */
export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

const REALM = 'helpdesk';
const CLOCK_TOLERANCE_SECONDS = 5;
const SECRET_ALGORITHMS = ['HS256'];
const JWKS_ALGORITHMS = ['RS256', 'ES256'];

/**
 * The RFC 6750 `WWW-Authenticate` value for a failed authentication. A missing
 * token gets the bare challenge; every other failure is `invalid_token`.
 */
export function wwwAuthenticate(error: AuthError): string {
  if (error.code === 'missing_token') return `Bearer realm="${REALM}"`;
  // RFC 6750 §3: error_description may not contain `"` or `\` or non-ASCII.
  const description = error.message.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');
  return `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`;
}

/** RFC 6750 §3.1: the challenge for a token without the scope a call needs, naming that scope. */
export function insufficientScopeChallenge(requiredScope: string): string {
  return `Bearer realm="${REALM}", error="insufficient_scope", scope="${requiredScope}"`;
}

export function createAuthenticator(
  config: AuthConfig,
): (authorizationHeader: string | undefined) => Promise<Principal> {
  // Imported once as a CryptoKey: handed the raw bytes, jose imports the key again on every verification.
  const secret = config.jwtSecret
    ? crypto.subtle.importKey('raw', new TextEncoder().encode(config.jwtSecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    : undefined;
  secret?.catch(() => {}); // awaited, and so reported, by the first verification
  const jwks = config.jwksUrl ? jose.createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
  const issuer = config.issuer || undefined;
  const audience = config.audience || undefined;

  return async (authorizationHeader) => {
    if (!secret && !jwks) {
      throw new AuthError('invalid_token', 'The server has no JWT verification configured');
    }
    const token = parseBearer(authorizationHeader);

    let alg: string | undefined;
    try {
      alg = jose.decodeProtectedHeader(token).alg;
    } catch {
      throw new AuthError('invalid_token', 'The access token is malformed');
    }

    let result: jose.JWTVerifyResult;
    try {
      const options = { issuer, audience, clockTolerance: CLOCK_TOLERANCE_SECONDS };
      if (secret && alg !== undefined && SECRET_ALGORITHMS.includes(alg)) {
        result = await jose.jwtVerify(token, await secret, { ...options, algorithms: SECRET_ALGORITHMS });
      } else if (jwks && alg !== undefined && JWKS_ALGORITHMS.includes(alg)) {
        result = await jose.jwtVerify(token, jwks, { ...options, algorithms: JWKS_ALGORITHMS });
      } else {
        throw new AuthError('invalid_token', 'The access token is signed with an algorithm this server does not accept');
      }
    } catch (error) {
      throw toAuthError(error);
    }

    const { sub, tenant_id: tenantId, app_id: appId, scope } = result.payload;
    if (typeof sub !== 'string' || sub === '' || typeof tenantId !== 'string' || tenantId === '') {
      throw new AuthError('missing_claims', 'The access token must carry non-empty "sub" and "tenant_id" claims');
    }
    if (appId !== undefined && (typeof appId !== 'string' || appId === '')) {
      throw new AuthError('missing_claims', 'The access token "app_id" claim, when present, must be a non-empty string');
    }
    for (const [claim, value] of [['sub', sub], ['tenant_id', tenantId], ['app_id', appId]] as const) {
      if (value !== undefined && !isIdentityClaim(value)) {
        throw new AuthError('invalid_token', `The access token "${claim}" claim must be at most ${MAX_CLAIM_LENGTH} printable characters`);
      }
    }
    if (appId === undefined) return { tenantId, personId: sub, appId: null };
    if (scope !== undefined && typeof scope !== 'string') {
      throw new AuthError('invalid_token', 'The access token "scope" claim, when present, must be a space-separated string');
    }
    return { tenantId, personId: sub, appId, scopes: parseScopeClaim(scope ?? '') };
  };
}

/**
 * Identity claims are stored and indexed (tenant, author, app columns) and echoed in every
 * record: bounded, and free of control characters and unpaired surrogates the database or
 * a log line could choke on. Slack ids and ULIDs are far shorter.
 */
const MAX_CLAIM_LENGTH = 128;
const IDENTITY_CLAIM = /^[^\u0000-\u001f\u007f]+$/;

function isIdentityClaim(value: string): boolean {
  return value.length <= MAX_CLAIM_LENGTH && IDENTITY_CLAIM.test(value) && isStorableText(value);
}

function parseBearer(header: string | undefined): string {
  const match = /^\s*Bearer(?:\s+(.*))?$/i.exec(header ?? '');
  const token = match?.[1]?.trim();
  if (!token) {
    throw new AuthError('missing_token', 'An "Authorization: Bearer <token>" header is required');
  }
  if (/\s/.test(token)) {
    throw new AuthError('invalid_token', 'The access token is malformed');
  }
  return token;
}

function toAuthError(error: unknown): Error {
  if (error instanceof AuthError) return error;
  if (error instanceof jose.errors.JWTExpired) {
    return new AuthError('expired_token', 'The access token has expired');
  }
  if (error instanceof jose.errors.JWTClaimValidationFailed) {
    return new AuthError('invalid_token', `The access token "${error.claim}" claim is not accepted`);
  }
  // The key set could not be fetched or parsed (timeout, non-200, bad JSON): a
  // server-side fault, not the caller's, so it is not turned into a 401.
  if (
    error instanceof jose.errors.JWKSTimeout ||
    error instanceof jose.errors.JWKSInvalid ||
    (error instanceof jose.errors.JOSEError && error.code === 'ERR_JOSE_GENERIC')
  ) {
    return error;
  }
  if (error instanceof jose.errors.JOSEError) {
    return new AuthError('invalid_token', 'The access token could not be verified');
  }
  return error instanceof Error ? error : new Error(String(error));
}
