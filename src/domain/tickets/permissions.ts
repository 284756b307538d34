/**
 * The ticket rules live with the other roles' rules in `../roles.ts`; re-exported here for
 * the ticket modules and listeners that import them from the tickets folder.
 */
export { mayActOnTicket, maySeeInternal, type Permission, type TicketAction, type Viewer } from '../roles.js';
