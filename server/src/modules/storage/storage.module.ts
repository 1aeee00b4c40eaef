import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { LocalStorage } from './local-storage';
import { S3Storage } from './s3-storage';
import { OBJECT_STORAGE, ObjectStorage } from './storage';

@Global()
@Module({
  providers: [
    {
      provide: OBJECT_STORAGE,
      inject: [AppConfig],
      useFactory: (cfg: AppConfig): ObjectStorage =>
        cfg.STORAGE_DRIVER === 's3'
          ? new S3Storage({
              endpoint: cfg.S3_ENDPOINT!,
              region: cfg.S3_REGION,
              bucket: cfg.S3_BUCKET!,
              accessKeyId: cfg.S3_ACCESS_KEY_ID,
              secretAccessKey: cfg.S3_SECRET_ACCESS_KEY,
            })
          : new LocalStorage(cfg.STORAGE_DIR),
    },
  ],
  exports: [OBJECT_STORAGE],
})
export class StorageModule {}
