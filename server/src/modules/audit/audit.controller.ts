import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { AuditLogQueryDto } from './dto/audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit-logs')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Admins only (ordinary officers never read who accessed what); entries of units in scope, newest first. */
  @Get()
  @Roles('admin')
  list(@CurrentUser() user: AuthUser, @Query() q: AuditLogQueryDto) {
    return this.audit.list(user, q);
  }
}
