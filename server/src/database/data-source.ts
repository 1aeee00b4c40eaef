/** The data source the TypeORM CLI uses (migration:run / migration:generate); the app builds the same options. */
import 'reflect-metadata';
import { DataSource, DataSourceOptions } from 'typeorm';
import { loadDbConfig } from '../config/app-config';
import { buildDataSourceOptions } from './db-options';

/** DATABASE_URL, SQLITE_PATH, DB_POOL_SIZE validated as the server validates them (a bad value stops the command). */
export const dbConfig = loadDbConfig();
const url = dbConfig.DATABASE_URL;
const options = buildDataSourceOptions(dbConfig);

// Schema diffs (migration:generate, the drift check) must know the server is MariaDB: it reports column
// defaults differently from MySQL. Use a mariadb:// URL for that; the SQL the migrations hold is the same.
export default new DataSource(url?.startsWith('mariadb:') ? ({ ...options, type: 'mariadb' } as DataSourceOptions) : options);
