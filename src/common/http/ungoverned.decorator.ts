import { SetMetadata } from '@nestjs/common';

export const UNGOVERNED = 'groq-gateway:ungoverned';

/** Routes no virtual key is asked for: probes, metrics, and the admin API (its own key). */
export const Ungoverned = () => SetMetadata(UNGOVERNED, true);
