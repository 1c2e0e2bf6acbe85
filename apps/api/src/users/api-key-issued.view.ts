import { ApiProperty } from '@nestjs/swagger';
import { UserView } from './user.view.js';

/** A user with a freshly issued API key; the key is shown this once only. */
export class ApiKeyIssuedView {
  @ApiProperty({ type: UserView })
  user: UserView;

  @ApiProperty({
    example: 'lx_q0Nf3s4j2Yt6nVbq0V1u9rj9iWc8B3s6dQmR3m0o8mE',
    description:
      'Send as `Authorization: Bearer <apiKey>`. Not retrievable later.',
  })
  apiKey: string;
}
