/** Where the REST surface lives; shared by the routes, the OpenAPI document and the SDK. */
export const API_PREFIX = '/api/v1/helpdesk';
export const OPENAPI_PATH = '/api/v1/openapi.json';
