import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { Ungoverned } from '../common/http/ungoverned.decorator';
import { AccessGuard } from './access.guard';
import type { Permission } from './permissions';
import { REQUIRED_PERMISSIONS } from './required-permissions';

export { REQUIRED_PERMISSIONS };

/**
 * An admin route and what it needs: `@Requires('keys.write')` on a handler (or a controller)
 * resolves the caller (admin key, personal access token, session), answers 401 without one and
 * 403 `permission_denied` when the caller's role lacks a permission named here, and puts the
 * `Principal` on the request (`@CurrentPrincipal()`, `principalOf(request)`). A handler's list
 * replaces its controller's. No virtual key is asked for on these routes.
 */
export function Requires(...permissions: Permission[]) {
  return applyDecorators(
    SetMetadata(REQUIRED_PERMISSIONS, permissions),
    Ungoverned(),
    UseGuards(AccessGuard),
  );
}
