import { BadRequestException, Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { EverTask } from 'evertask';
import { sendWelcome } from '../shared/tasks.js';

@Controller('signup')
export class SignupController {
  // an explicit token: works without emitDecoratorMetadata (tsx, esbuild, vitest)
  constructor(@Inject(EverTask) private readonly everTask: EverTask) {}

  @Post()
  @HttpCode(202)
  async signup(@Body() body: { email?: unknown } | undefined): Promise<{ taskId: string }> {
    const email = body?.email;
    if (typeof email !== 'string') throw new BadRequestException('body.email must be a string');
    return { taskId: await this.everTask.dispatch(sendWelcome, { email }) };
  }
}
