import { Module } from '@nestjs/common';
import { UnsupportedController } from './unsupported.controller';

@Module({ controllers: [UnsupportedController] })
export class UnsupportedModule {}
