import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { LocalStorage } from './local-storage';
import { OBJECT_STORAGE, ObjectStorage } from './storage';

@Global()
@Module({
  providers: [
    {
      provide: OBJECT_STORAGE,
      inject: [AppConfig],
      // the AWS SDK is loaded only for the s3 driver (it is the largest library the server has)
      useFactory: async (cfg: AppConfig): Promise<ObjectStorage> =>
        cfg.STORAGE_DRIVER === 's3'
          ? new (await import('./s3-storage')).S3Storage({
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
