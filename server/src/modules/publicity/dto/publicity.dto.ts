import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CreateMessageRequest,
  MESSAGE_BLOCK_TYPES,
  MESSAGE_CATEGORIES,
  MESSAGE_STATUSES,
  MessageAudienceInput,
  MessageBlock,
  MessageBlockType,
  MessageCategory,
  MessageListQuery,
  MessageStatus,
  PUBLICITY_LIMITS,
  PublishMessageRequest,
  RemindUnitsRequest,
  Role,
  ROLES,
  UpdateMessageRequest,
  LIMITS,
} from '@xiangan/shared';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../../common/http/page-query.dto';
import { Label } from '../../../common/http/field-labels';
import { OptionalId, OptionalOneOf } from '../../../common/dto/fields';

const CATEGORY_CODES = MESSAGE_CATEGORIES.map((c) => c.code) as string[];

export class MessageBlockDto implements MessageBlock {
  @ApiProperty({ enum: MESSAGE_BLOCK_TYPES })
  @IsIn(MESSAGE_BLOCK_TYPES as unknown as string[])
  @Label('段落类型')
  type: MessageBlockType;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(PUBLICITY_LIMITS.blockTextMax)
  text?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  bold?: boolean;

  @OptionalId({ min: 1 })
  mediaId?: number;

  /** Video link (https only). For images the server fills the URL itself. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl({ protocols: ['https'], require_protocol: true })
  @MaxLength(500)
  url?: string;
}

export class MessageAudienceDto implements MessageAudienceInput {
  @ApiProperty({ type: [Number] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PUBLICITY_LIMITS.audienceUnitsMax)
  @IsInt({ each: true })
  @Min(1, { each: true })
  orgIds: number[];

  @ApiPropertyOptional({ enum: ROLES, isArray: true })
  @IsOptional()
  @IsArray()
  @IsIn(ROLES as unknown as string[], { each: true })
  roles?: Role[];
}

export class CreateMessageDto implements CreateMessageRequest {
  @ApiProperty()
  @IsString()
  @Length(1, LIMITS.titleMax)
  title: string;

  @ApiProperty({ type: [MessageBlockDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PUBLICITY_LIMITS.blocksMax)
  @ValidateNested({ each: true })
  @Type(() => MessageBlockDto)
  body: MessageBlockDto[];

  @ApiProperty({ enum: CATEGORY_CODES })
  @IsIn(CATEGORY_CODES)
  category: MessageCategory;

  @ApiProperty({ type: MessageAudienceDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => MessageAudienceDto)
  audience: MessageAudienceDto;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  ackRequired?: boolean;
}

export class UpdateMessageDto implements UpdateMessageRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, LIMITS.titleMax)
  title?: string;

  @ApiPropertyOptional({ type: [MessageBlockDto] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PUBLICITY_LIMITS.blocksMax)
  @ValidateNested({ each: true })
  @Type(() => MessageBlockDto)
  body?: MessageBlockDto[];

  @OptionalOneOf(CATEGORY_CODES)
  category?: MessageCategory;

  @ApiPropertyOptional({ type: MessageAudienceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => MessageAudienceDto)
  audience?: MessageAudienceDto;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  ackRequired?: boolean;
}

export class PublishMessageDto implements PublishMessageRequest {
  @ApiPropertyOptional({ description: 'Future time → scheduled; absent → now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  scheduledAt?: string;
}

export class MessageListQueryDto extends PageQueryDto implements MessageListQuery {
  @OptionalOneOf(MESSAGE_STATUSES)
  status?: MessageStatus;

  @OptionalOneOf(CATEGORY_CODES)
  category?: MessageCategory;
}

export class MessageStatsQueryDto {
  @ApiPropertyOptional({ description: 'Break down under this unit (inside the audience)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  orgId?: number;
}

export class RemindUnitsDto implements RemindUnitsRequest {
  @ApiPropertyOptional({ type: [Number] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(PUBLICITY_LIMITS.audienceUnitsMax)
  @IsInt({ each: true })
  @Min(1, { each: true })
  orgIds?: number[];
}

export class CalendarQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  year?: number;
}
