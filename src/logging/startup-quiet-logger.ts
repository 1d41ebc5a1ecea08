import type { LoggerService } from '@nestjs/common';

/** Nest's own start-up chatter: one line per module, controller and route (about 80 of them). */
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/**
 * Wraps the application logger so Nest's framework lines (modules initialised, routes mapped) are
 * written at debug, not info: at the default level a start-up shows the gateway's own lines only.
 * `LOG_LEVEL=debug` shows the route table again.
 */
export function quietFrameworkLogs(logger: LoggerService): LoggerService {
  return new Proxy(logger, {
    get(target, property, receiver) {
      if (property !== 'log') return Reflect.get(target, property, receiver) as unknown;
      return (message: unknown, ...rest: unknown[]) => {
        const context = rest[rest.length - 1];
        if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context))
          target.debug?.(message, ...rest);
        else target.log(message, ...rest);
      };
    },
  });
}
