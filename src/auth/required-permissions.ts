/** Metadata key of `@Requires(...)`: the permissions a route needs, read by the access guard. */
export const REQUIRED_PERMISSIONS = 'groq-gateway:required-permissions';
