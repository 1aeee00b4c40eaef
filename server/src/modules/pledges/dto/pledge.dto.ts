import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CreatePledgeCampaignRequest,
  CreatePledgeTemplateRequest,
  CreatePledgeTemplateVersionRequest,
  LIMITS,
  PLEDGE_FIELD_TYPES,
  PLEDGE_KIND_LABELS,
  PLEDGE_KINDS,
  PledgeCampaignDto,
  PledgeCampaignStatus,
  PledgeFieldSpec,
  PledgeFieldType,
  PledgeKind,
  PledgeSignatureDto,
  PledgeSignerImageInput,
  PledgeSignerSpec,
  PledgeTemplateVersionDto,
  SignPledgeRequest,
  VoidPledgeSignatureRequest,
} from '@xiangan/shared';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../../common/http/page-query.dto';
import type { PledgeCampaign, PledgeSignature, PledgeTemplateVersion } from '../pledge.entities';
import { Label } from '../../../common/http/field-labels';
import { OptionalId, OptionalOneOf, OptionalQueryId } from '../../../common/dto/fields';

export class PledgeSignerSpecDto implements PledgeSignerSpec {
  @ApiProperty()
  @IsString()
  @Matches(/^[a-z][a-z_]{1,23}$/, { message: '只能用小写字母和 _' })
  @Label('签名人代码')
  role: string;

  @ApiProperty()
  @IsString()
  @Length(1, 20)
  @Label('签名人名称')
  label: string;
}

export class PledgeFieldSpecDto implements PledgeFieldSpec {
  @ApiProperty()
  @IsString()
  @Matches(/^[a-zA-Z][a-zA-Z0-9]{1,23}$/, { message: '只能用字母和数字（字母开头）' })
  key: string;

  @ApiProperty()
  @IsString()
  @Length(1, 20)
  @Label('填写项名称')
  label: string;

  @ApiProperty({ enum: PLEDGE_FIELD_TYPES })
  @IsIn(PLEDGE_FIELD_TYPES as unknown as string[])
  @Label('填写项类型')
  type: PledgeFieldType;

  @ApiProperty()
  @IsBoolean()
  required: boolean;
}

export class CreatePledgeTemplateVersionDto implements CreatePledgeTemplateVersionRequest {
  @ApiProperty()
  @IsString()
  @Length(2, LIMITS.titleMax)
  title: string;

  @ApiProperty()
  @IsString()
  @Length(20, 20000)
  @Label('承诺书正文')
  body: string;

  @ApiProperty({ type: [PledgeSignerSpecDto] })
  @ValidateNested({ each: true })
  @Type(() => PledgeSignerSpecDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  signers: PledgeSignerSpecDto[];

  @ApiProperty({ type: [PledgeFieldSpecDto] })
  @ValidateNested({ each: true })
  @Type(() => PledgeFieldSpecDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(12)
  @Label('填写项')
  fields: PledgeFieldSpecDto[];
}

export class CreatePledgeTemplateDto extends CreatePledgeTemplateVersionDto implements CreatePledgeTemplateRequest {
  @ApiProperty({ enum: PLEDGE_KINDS })
  @IsIn(PLEDGE_KINDS as unknown as string[])
  kind: PledgeKind;

  @ApiPropertyOptional({ description: "owner unit (in scope); default the caller's unit; admins may omit it for a county-wide text" })
  @IsOptional()
  @IsInt()
  @Min(1)
  orgId?: number;
}

export class CreatePledgeCampaignDto implements CreatePledgeCampaignRequest {
  @ApiProperty()
  @IsInt()
  @Min(1)
  templateVersionId: number;

  @ApiProperty()
  @IsInt()
  @Min(1)
  orgId: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(2, LIMITS.titleMax)
  title?: string;

  @ApiProperty({ example: '2026-07-01T16:00:00.000Z' })
  @IsISO8601({ strict: true })
  @Label('签署截止时间')
  deadline: string;
}

export class CampaignListQueryDto extends PageQueryDto {
  @OptionalOneOf(PLEDGE_KINDS)
  kind?: PledgeKind;

  @OptionalQueryId({ min: 1 })
  orgId?: number;
}

export class UnsignedQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: '班级 / 单位' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  group?: string;
}

export class RosterPickQueryDto {
  @ApiProperty({ description: '学生姓名（或单位名称），至少 2 个字' })
  @IsString()
  @Length(2, 30)
  @Label('姓名')
  q: string;
}

export class SignerImageDto implements PledgeSignerImageInput {
  @ApiProperty()
  @IsString()
  @Length(1, 24)
  @Label('签名人')
  role: string;

  @ApiProperty({ description: 'data:image/png;base64,…' })
  @IsString()
  @MaxLength(Math.ceil((LIMITS.signatureMaxBytes * 4) / 3) + 64)
  image: string;
}

export class SignPledgeDto implements SignPledgeRequest {
  @OptionalId({ min: 1 })
  rosterId?: number;

  @ApiPropertyOptional({ description: 'WeChat getPhoneNumber code (required for WeChat accounts)' })
  @IsOptional()
  @IsString()
  @Length(1, 128, { message: '格式不对，请重新点击“使用微信手机号”' })
  phoneCode?: string;

  @ApiPropertyOptional({ description: "the signer's phone, typed (h5); must match the roster entry's phone" })
  @IsOptional()
  @IsString()
  @MaxLength(20, { message: '应为 11 位手机号' })
  phone?: string;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  @IsObject()
  fields: Record<string, string>;

  @ApiProperty({ type: [SignerImageDto] })
  @ValidateNested({ each: true })
  @Type(() => SignerImageDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  signatures: SignerImageDto[];
}

export function mapVersion(v: PledgeTemplateVersion, locked: boolean): PledgeTemplateVersionDto {
  return {
    id: v.id,
    templateId: v.templateId,
    version: v.version,
    kind: v.kind,
    title: v.title,
    body: v.body,
    signers: v.signers,
    fields: v.fields,
    contentHash: v.contentHash,
    locked,
    createdAt: v.createdAt.toISOString(),
  };
}

export function campaignStatus(c: PledgeCampaign, now = new Date()): PledgeCampaignStatus {
  if (c.closedAt) return 'closed';
  return c.deadline.getTime() < now.getTime() ? 'expired' : 'open';
}

export function mapCampaign(c: PledgeCampaign, orgName: string): PledgeCampaignDto {
  return {
    id: c.id,
    title: c.title,
    kind: c.kind,
    kindLabel: PLEDGE_KIND_LABELS[c.kind],
    templateVersionId: c.templateVersionId,
    orgId: c.orgId,
    orgName,
    deadline: c.deadline.toISOString(),
    status: campaignStatus(c),
    rosterKind: c.rosterKind,
    rosterCount: c.rosterCount,
    // seq counts chain links: signatures and void links; each void link also cancels one signature
    signedCount: c.seq - 2 * (c.voidCount ?? 0),
    createdAt: c.createdAt.toISOString(),
  };
}

export function mapSignature(s: PledgeSignature, c: PledgeCampaign, signerLabels: Record<string, string>): PledgeSignatureDto {
  return {
    id: s.id,
    campaignId: s.campaignId,
    campaignTitle: c.title,
    kind: c.kind,
    seq: s.seq,
    group: s.groupName,
    fields: s.fields,
    images: s.images.map((i) => ({
      role: i.role,
      label: signerLabels[i.role] ?? i.role,
      sha256: i.sha256,
      url: `/api/pledge-signatures/${s.id}/images/${i.role}`,
    })),
    signedAt: s.signedAt.toISOString(),
    templateVersionId: s.templateVersionId,
    contentHash: s.contentHash,
    prevHash: s.prevHash,
    chainHash: s.chainHash,
    void: null,
  };
}

export class VoidPledgeSignatureDto implements VoidPledgeSignatureRequest {
  @ApiProperty({ description: '作废原因，2–200 字' })
  @IsString({ message: '不能为空' })
  @Length(2, 200, { message: '应为 2–200 个字' })
  @Label('作废原因')
  reason: string;
}
