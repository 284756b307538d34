export * from './enums.js';
export * from './tenants.js';
export * from './people.js';
export * from './teams.js';
export * from './sla-policies.js';
export * from './tickets.js';
export * from './ticket-events.js';
export * from './sla-alerts.js';
