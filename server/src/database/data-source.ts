/** The data source the TypeORM CLI uses (migration:run / migration:generate); the app builds the same options. */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './db-options';

export default new DataSource(
  buildDataSourceOptions({ DATABASE_URL: process.env.DATABASE_URL, SQLITE_PATH: process.env.SQLITE_PATH ?? 'data/xiangan.sqlite' }),
);
