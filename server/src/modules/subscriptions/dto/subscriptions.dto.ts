import { ApiProperty } from '@nestjs/swagger';
import { SubscribeRequest, SubscribeResult } from '@xiangan/shared';
import { ArrayMaxSize, ArrayMinSize, IsObject, IsString, Length } from 'class-validator';

export class SubscribeDto implements SubscribeRequest {
  /** WeChat asks for at most 3 templates at a time. */
  @ApiProperty({ type: [String] })
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  templateIds: string[];

  @ApiProperty({ description: "templateId → 'accept' | 'reject' | 'ban' | 'filter' (what wx.requestSubscribeMessage answered)" })
  @IsObject()
  results: Record<string, SubscribeResult>;
}
