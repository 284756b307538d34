import type { webApi } from '@slack/bolt';

/**
 * Where a Slack request's tenant comes from: the installation it arrived for, never ids in
 * the payload. Today one installation, the bot token's (`auth.test`); an installation store
 * (OAuth, several workspaces) only changes where `InstallationSource.find` looks.
 */

/** What the app is installed in: one workspace, or an Enterprise Grid organization (org-wide install). */
export interface Installation {
  teamId: string | undefined;
  enterpriseId: string | undefined;
  isEnterpriseInstall: boolean;
  botToken: string;
  botUserId?: string | undefined;
  botId?: string | undefined;
}

/** Which workspace a request says it comes from, as Bolt reads it from the payload. */
export interface InstallationQuery {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  isEnterpriseInstall?: boolean | undefined;
}

export interface InstallationSource {
  /** The installation serving this query, or undefined when the app is not installed there. */
  find(query: InstallationQuery): Promise<Installation | undefined>;
}

/** A request refused because it names a workspace the app is not installed in. */
export class ForeignWorkspaceError extends Error {
  constructor(readonly reason: string) {
    super(`refused a Slack request for another workspace: ${reason}`);
    this.name = 'ForeignWorkspaceError';
  }
}

/** Every workspace id a payload names, wherever Slack puts one (commands, actions, views, shortcuts, events). */
export interface WorkspaceClaims {
  teamIds: string[];
  enterpriseIds: string[];
  isEnterpriseInstall: boolean | undefined;
}

export function workspaceClaims(body: unknown): WorkspaceClaims {
  const teamIds = new Set<string>();
  const enterpriseIds = new Set<string>();
  let isEnterpriseInstall: boolean | undefined;
  const b = (body ?? {}) as Record<string, unknown>;
  const add = (set: Set<string>, value: unknown) => {
    if (typeof value === 'string' && value !== '') set.add(value);
  };
  const object = (value: unknown) => (value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined);
  add(teamIds, b.team_id);
  add(teamIds, object(b.team)?.id);
  add(enterpriseIds, b.enterprise_id);
  add(enterpriseIds, object(b.enterprise)?.id);
  add(enterpriseIds, object(b.team)?.enterprise_id);
  add(teamIds, object(b.view)?.app_installed_team_id);
  const authorization = Array.isArray(b.authorizations) ? object(b.authorizations[0]) : undefined;
  add(teamIds, authorization?.team_id);
  add(enterpriseIds, authorization?.enterprise_id);
  for (const flag of [b.is_enterprise_install, authorization?.is_enterprise_install]) {
    if (flag === true || flag === 'true') isEnterpriseInstall = true;
    else if ((flag === false || flag === 'false') && isEnterpriseInstall === undefined) isEnterpriseInstall = false;
  }
  return { teamIds: [...teamIds], enterpriseIds: [...enterpriseIds], isEnterpriseInstall };
}

/**
 * The one place a Slack request's tenant is decided: the installation's workspace (its
 * organization for org-wide installs), provided every id the payload names belongs to it.
 */
export function tenantOfRequest(installation: Installation, claims: WorkspaceClaims): string {
  const foreign = (what: string, ids: string[], own: string | undefined) => {
    const other = ids.find((id) => id !== own);
    if (other !== undefined) throw new ForeignWorkspaceError(`${what} ${other} is not ${own ?? 'this installation'}`);
  };
  if (installation.isEnterpriseInstall) {
    // An org-wide install serves every workspace of its organization: the organization must match.
    if (!installation.enterpriseId) throw new ForeignWorkspaceError('an org-wide installation without an organization id');
    if (claims.enterpriseIds.length === 0) throw new ForeignWorkspaceError('no organization named for an org-wide installation');
    foreign('organization', claims.enterpriseIds, installation.enterpriseId);
    return installation.enterpriseId;
  }
  if (claims.isEnterpriseInstall === true) throw new ForeignWorkspaceError('an org-wide request for a workspace installation');
  if (!installation.teamId) throw new ForeignWorkspaceError('an installation without a workspace id');
  if (claims.teamIds.length === 0) throw new ForeignWorkspaceError('no workspace named');
  foreign('workspace', claims.teamIds, installation.teamId);
  if (installation.enterpriseId) foreign('organization', claims.enterpriseIds, installation.enterpriseId);
  else if (claims.enterpriseIds.length > 0) throw new ForeignWorkspaceError(`organization ${claims.enterpriseIds[0]} for a workspace outside any organization`);
  return installation.teamId;
}

/**
 * The installation of a single bot token: the workspace (or organization) `auth.test` says the
 * token belongs to, asked once; a failed ask is asked again on the next request.
 */
export function botTokenInstallation(client: webApi.WebClient, botToken: string): InstallationSource {
  let known: Promise<Installation> | undefined;
  const load = async (): Promise<Installation> => {
    const who = await client.auth.test({ token: botToken });
    const enterpriseId = typeof who.enterprise_id === 'string' && who.enterprise_id !== '' ? who.enterprise_id : undefined;
    const isEnterpriseInstall = who.is_enterprise_install === true;
    return {
      teamId: !isEnterpriseInstall && who.team_id ? who.team_id : undefined,
      enterpriseId,
      isEnterpriseInstall,
      botToken,
      botUserId: who.user_id,
      botId: who.bot_id,
    };
  };
  return {
    async find(query) {
      known ??= load();
      let installation: Installation;
      try {
        installation = await known;
      } catch (error) {
        known = undefined;
        throw error;
      }
      const matches = installation.isEnterpriseInstall
        ? query.enterpriseId === installation.enterpriseId
        : query.teamId === installation.teamId;
      return matches ? installation : undefined;
    },
  };
}

/** A fixed set of installations (tests, and a stand-in for an installation store). */
export function staticInstallations(installations: Installation[]): InstallationSource & { add(installation: Installation): void } {
  const all = [...installations];
  return {
    add: (installation) => void all.push(installation),
    async find(query) {
      return all.find((i) => (i.isEnterpriseInstall ? query.enterpriseId === i.enterpriseId : query.teamId === i.teamId));
    },
  };
}
