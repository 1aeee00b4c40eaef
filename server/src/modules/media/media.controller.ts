import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import { LIMITS, ROLES } from '@xiangan/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Public, Roles } from '../../common/auth/decorators';
import { IdPipe } from '../../common/http/id.pipe';
import { MediaReviewDto } from './dto/media.dto';
import { MediaService } from './media.service';
import { FileUpload } from '../../common/upload/file-upload.interceptor';

/** Reads the multipart image after the guards ran; a too-large file is a 413 in plain words. */
export const ImageUploadInterceptor = FileUpload({ what: '图片', maxBytes: LIMITS.uploadMaxBytes, fields: 4, fieldSize: 1024 });

function send(res: FastifyReply, r: { stream: NodeJS.ReadableStream; mime: string; etag: string; signed: boolean }) {
  res
    .header('Content-Type', r.mime)
    .header('ETag', r.etag)
    .header('Cache-Control', r.signed ? 'private, max-age=3600' : 'private, no-cache')
    .header('Content-Disposition', 'inline')
    .send(r.stream);
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
  upload(@CurrentUser() user: AuthUser, @Req() req: FastifyRequest & { file?: Express.Multer.File }) {
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
    @Req() req: FastifyRequest & { file?: Express.Multer.File },
    @Param('id', IdPipe) id: number,
    @Query('exp') exp: string,
    @Query('sig') sig: string,
    @Query('o') o: string,
    @Res() res: FastifyReply,
  ) {
    send(res, await this.media.open((req as FastifyRequest & { user?: AuthUser }).user, id, 'full', exp, sig, o));
  }

  @Get(':id/thumb')
  @Public()
  @ApiQuery({ name: 'o', required: false, description: '`1` on an officer URL (still valid after a risky verdict)' })
  async thumb(
    @Req() req: FastifyRequest & { file?: Express.Multer.File },
    @Param('id', IdPipe) id: number,
    @Query('exp') exp: string,
    @Query('sig') sig: string,
    @Query('o') o: string,
    @Res() res: FastifyReply,
  ) {
    send(res, await this.media.open((req as FastifyRequest & { user?: AuthUser }).user, id, 'thumb', exp, sig, o));
  }
}
