import type { Role } from '@xiangan/shared';

/** Who is calling: read from the JWT, refreshed from the database on each request. */
export interface AuthUser {
  id: number;
  role: Role;
  orgId: number | null;
  /** Path of the user's unit; the subtree below it is the user's scope. */
  orgPath: string | null;
  openid: string | null;
  name: string | null;
}
