import { createSampleApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const app = await createSampleApp();
app.enableShutdownHooks();
await app.listen(port);
console.log(`nestjs-http2-preload sample: http://localhost:${port}/`);
console.log(`Run twice to see early hints: curl -sv -o /dev/null http://localhost:${port}/slow (or /slow-103)`);
