import { Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerRequest } from '@nestjs/throttler';

/**
 * Two limits per client (user when signed in, else address): `default` on every request, and the
 * stricter `writes` on requests that change something. Limits come from RATE_LIMIT_* config.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  protected async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    if (props.throttler.name === 'writes') {
      const method: string = props.context.switchToHttp().getRequest().method;
      if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return true;
    }
    return super.handleRequest(props);
  }
}
