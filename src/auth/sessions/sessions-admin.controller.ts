import { Controller, Delete, Get, HttpCode, Param, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../common/errors/gateway-error';
import { auditActor } from '../audit-actor';
import { principalOf } from '../request-principal';
import { Requires } from '../requires.decorator';
import { sessionView } from './session';
import { SessionService } from './session-service';

/** Every signed-in user's sessions, for an admin to see and revoke (exists only with `auth:`). */
@Controller('admin/sessions')
@Requires('sessions.manage')
export class SessionsAdminController {
  constructor(private readonly sessions: SessionService) {}

  /** `GET /admin/sessions[?subject=...]`: live sessions, most recently used first. */
  @Get()
  async list(@Req() request: FastifyRequest, @Query('subject') subject: unknown) {
    const all = await this.sessions.list();
    const chosen =
      typeof subject === 'string' && subject ? all.filter((s) => s.subject === subject) : all;
    chosen.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
    this.sessions.audit(request, {
      action: 'session.list',
      ...auditActor(principalOf(request)),
      outcome: 'ok',
    });
    return {
      object: 'list',
      data: chosen.map((s) => sessionView(s, this.sessions.idleMilliseconds)),
    };
  }

  /** `DELETE /admin/sessions?subject=...`: ends every session of one user. */
  @Delete()
  @HttpCode(200)
  async revokeUser(@Req() request: FastifyRequest, @Query('subject') subject: unknown) {
    if (typeof subject !== 'string' || subject === '')
      throw new GatewayError({
        status: 400,
        param: 'subject',
        message:
          'Name the user whose sessions end: DELETE /admin/sessions?subject=<subject>, or one session: DELETE /admin/sessions/<id>.',
      });
    const theirs = (await this.sessions.list()).filter((s) => s.subject === subject);
    for (const session of theirs)
      await this.sessions.end(session, 'revoked', request, 'by an admin');
    this.sessions.audit(request, {
      action: 'session.revoke',
      ...auditActor(principalOf(request)),
      target: subject,
      outcome: 'ok',
      explanation: `${theirs.length} session(s)`,
    });
    return { subject, revoked: theirs.length };
  }

  /** `DELETE /admin/sessions/{id}`: ends one session at once, on every replica. */
  @Delete(':id')
  @HttpCode(204)
  async revoke(@Req() request: FastifyRequest, @Param('id') id: string): Promise<void> {
    const session = await this.sessions.get(id);
    if (!session) {
      this.sessions.audit(request, {
        action: 'session.revoke',
        ...auditActor(principalOf(request)),
        target: id,
        outcome: 'not_found',
        status: 404,
      });
      throw new GatewayError({
        status: 404,
        code: 'session_not_found',
        param: 'id',
        message: `No live session ${id.slice(0, 40)} (ended, expired, or never existed); GET /admin/sessions lists them.`,
      });
    }
    await this.sessions.end(session, 'revoked', request, 'by an admin');
    this.sessions.audit(request, {
      action: 'session.revoke',
      ...auditActor(principalOf(request)),
      target: id,
      outcome: 'ok',
    });
  }
}
