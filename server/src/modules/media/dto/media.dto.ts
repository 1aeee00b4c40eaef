import { ApiProperty } from '@nestjs/swagger';
import { MediaReviewRequest } from '@xiangan/shared';
import { IsIn } from 'class-validator';

export class MediaReviewDto implements MediaReviewRequest {
  @ApiProperty({ enum: ['pass', 'risky'], description: 'pass: shown to whoever may see the record; risky: hidden from every resident' })
  @IsIn(['pass', 'risky'])
  verdict: 'pass' | 'risky';
}
