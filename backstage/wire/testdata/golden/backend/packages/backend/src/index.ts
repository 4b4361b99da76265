/*
 * The backend of the wire test app: one createBackend() with a line per
 * plugin, started at the end, the way create-app lays it out.
 */

import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// scaffolder
backend.add(import('@backstage/plugin-scaffolder-backend'));

// auth, with the guest provider for local development
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));

// permissions: allow everything while developing
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@backstage/plugin-permission-backend-module-allow-all-policy'),
);

// search
backend.add(import('@backstage/plugin-search-backend'));

backend.add(import('@internal/plugin-hello-backend'));
backend.start();
