/** The data source the TypeORM CLI uses (migration:run / migration:generate); the app builds the same options. */
import 'reflect-metadata';
import { DataSource, DataSourceOptions } from 'typeorm';
import { buildDataSourceOptions } from './db-options';

const url = process.env.DATABASE_URL;
const options = buildDataSourceOptions({ DATABASE_URL: url, SQLITE_PATH: process.env.SQLITE_PATH ?? 'data/xiangan.sqlite' });

// Schema diffs (migration:generate, the drift check) must know the server is MariaDB: it reports column
// defaults differently from MySQL. Use a mariadb:// URL for that; the SQL the migrations hold is the same.
export default new DataSource(url?.startsWith('mariadb:') ? ({ ...options, type: 'mariadb' } as DataSourceOptions) : options);
