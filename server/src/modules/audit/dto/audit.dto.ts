import { ApiPropertyOptional } from '@nestjs/swagger';
import { AUDIT_ACTIONS, AuditAction, AuditLogQuery } from '@xiangan/shared';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Min } from 'class-validator';
import { PageQueryDto } from '../../../common/http/page-query.dto';
import { OptionalQueryId } from '../../../common/dto/fields';

export class AuditLogQueryDto extends PageQueryDto implements AuditLogQuery {
  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS as unknown as string[], { message: '不是可选的操作类型' })
  action?: AuditAction;

  @OptionalQueryId({ min: 1 })
  actorId?: number;

  @ApiPropertyOptional({ description: 'entries about this unit and its subtree' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  orgId?: number;

  @ApiPropertyOptional({ description: 'ISO time, inclusive' })
  @IsOptional()
  @IsISO8601({}, { message: '须为时间（如 2026-05-01T08:00:00+08:00）' })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO time, exclusive' })
  @IsOptional()
  @IsISO8601({}, { message: '须为时间（如 2026-05-01T08:00:00+08:00）' })
  to?: string;
}
