// Two pages, so both go into the build (Vite builds index.html alone by default).
import { defineConfig } from 'vite';

export default defineConfig({
  build: { rolldownOptions: { input: ['index.html', 'broadcast.html'] } },
});
