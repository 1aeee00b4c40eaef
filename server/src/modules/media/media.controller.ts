import {
  BadRequestException,
  Body,
  CallHandler,
  Controller,
  ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  NestInterceptor,
  Param,
  PayloadTooLargeException,
  Post,
  Query,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { LIMITS, MediaReviewRequest, ROLES } from '@xiangan/shared';
import { IsIn } from 'class-validator';
import type { Request, Response } from 'express';
import multer from 'multer';
import { Observable } from 'rxjs';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Public, Roles } from '../../common/auth/decorators';
import { IdPipe } from '../../common/http/id.pipe';
import { MediaService } from './media.service';
import { findXmlIllegal } from '../../common/text/xml-text';

/** Reads the multipart body into memory after the guards ran, with a size limit answered 413 in plain words. */
@Injectable()
export class ImageUploadInterceptor implements NestInterceptor {
  private readonly single = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: LIMITS.uploadMaxBytes, files: 1, fields: 4, fieldSize: 1024 },
  }).single('file');

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    await new Promise<void>((resolve, reject) =>
      this.single(req, res, (err: unknown) => {
        if (!err) return resolve();
        const code = (err as { code?: string }).code;
        if (code === 'LIMIT_FILE_SIZE') return reject(new PayloadTooLargeException(`图片不能超过 ${LIMITS.uploadMaxBytes / 1024 / 1024} MB，请压缩后再上传`));
        if (code === 'LIMIT_UNEXPECTED_FILE' || code === 'LIMIT_FILE_COUNT')
          return reject(new BadRequestException(['file: send one image in the multipart field "file"']));
        reject(new BadRequestException([`file: ${(err as Error).message}`]));
      }),
    );
    // the route reads its text fields from req.body (no @Body pipe): the same XML-character rule as every other field
    const bad = findXmlIllegal(req.body);
    if (bad.length) throw new BadRequestException(bad.map((b) => `${b.path} 含有无法保存的特殊字符（${b.char}），请删除后重新提交`));
    return next.handle();
  }
}

function send(res: Response, r: { stream: NodeJS.ReadableStream; mime: string; etag: string; signed: boolean }) {
  res.setHeader('Content-Type', r.mime);
  res.setHeader('ETag', r.etag);
  res.setHeader('Cache-Control', r.signed ? 'private, max-age=3600' : 'private, no-cache');
  res.setHeader('Content-Disposition', 'inline');
  r.stream.on('error', () => res.destroy());
  r.stream.pipe(res);
}

export class MediaReviewDto implements MediaReviewRequest {
  @ApiProperty({ enum: ['pass', 'risky'], description: 'pass: shown to whoever may see the record; risky: hidden from every resident' })
  @IsIn(['pass', 'risky'])
  verdict: 'pass' | 'risky';
}

@ApiTags('media')
@ApiBearerAuth()
@Controller('media')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  @Post()
  @Roles(...ROLES)
  @UseInterceptors(ImageUploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' }, purpose: { type: 'string', enum: ['hazard', 'message', 'avatar'] } } },
  })
  upload(@CurrentUser() user: AuthUser, @Req() req: Request) {
    return this.media.upload(user, req.file, (req.body as Record<string, unknown> | undefined)?.purpose);
  }

  /** 人工复核: an officer who may see the image's record decides whether residents see it. */
  @Post(':id/review')
  @HttpCode(200)
  @Roles('grid_officer', 'village_officer', 'town_officer', 'department_officer', 'admin')
  review(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() body: MediaReviewDto) {
    return this.media.review(user, id, body.verdict);
  }

  /** Bytes: with a signed URL from an API answer, or with a bearer token of a user allowed to see the image. */
  @Get(':id')
  @Public()
  @ApiQuery({ name: 'o', required: false, description: '`1` on an officer URL (still valid after a risky verdict)' })
  async full(
    @Req() req: Request,
    @Param('id', IdPipe) id: number,
    @Query('exp') exp: string,
    @Query('sig') sig: string,
    @Query('o') o: string,
    @Res() res: Response,
  ) {
    send(res, await this.media.open((req as Request & { user?: AuthUser }).user, id, 'full', exp, sig, o));
  }

  @Get(':id/thumb')
  @Public()
  @ApiQuery({ name: 'o', required: false, description: '`1` on an officer URL (still valid after a risky verdict)' })
  async thumb(
    @Req() req: Request,
    @Param('id', IdPipe) id: number,
    @Query('exp') exp: string,
    @Query('sig') sig: string,
    @Query('o') o: string,
    @Res() res: Response,
  ) {
    send(res, await this.media.open((req as Request & { user?: AuthUser }).user, id, 'thumb', exp, sig, o));
  }
}
