import { Module } from '@nestjs/common';
import { OrgsController } from './orgs.controller';
import { OrgsService } from './orgs.service';
import { UsersController } from '../users/users.controller';
import { UsersService } from '../users/users.service';

/** Units and accounts (the org tree and the people in it). */
@Module({
  controllers: [OrgsController, UsersController],
  providers: [OrgsService, UsersService],
  exports: [OrgsService, UsersService],
})
export class OrgsModule {}
