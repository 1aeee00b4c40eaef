import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerRequest } from '@nestjs/throttler';
import { createHash } from 'node:crypto';

/**
 * Two limits per client (user when signed in, else address): `default` on every request, and the
 * stricter `writes` on requests that change something. Limits come from RATE_LIMIT_* config.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  /** The hashed route-and-client part of a request's keys, shared by both limits. */
  private readonly hashed = new WeakMap<object, { plain: string; hash: string }>();

  protected async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    if (props.throttler.name === 'writes') {
      const method: string = props.context.switchToHttp().getRequest().method;
      if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return true;
    }
    return super.handleRequest(props);
  }

  /**
   * The storage key of one limit for one request: sha256 of route and client (as the library's own key, which
   * hashed route, limit name and client together — one sha256 per limit, two per write), then the limit's name.
   * The hash is taken once per request and route and shared by both limits.
   */
  protected generateKey(context: ExecutionContext, tracker: string, name: string): string {
    const req = context.switchToHttp().getRequest<object>();
    const plain = `${context.getClass().name}-${context.getHandler().name}-${tracker}`;
    let h = this.hashed.get(req);
    if (!h || h.plain !== plain) this.hashed.set(req, (h = { plain, hash: createHash('sha256').update(plain).digest('hex') }));
    return `${h.hash}-${name}`;
  }
}
