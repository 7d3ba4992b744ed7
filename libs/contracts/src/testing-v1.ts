// Public face of the generated mealpeak.testing.v1 package (proto/mealpeak/testing/v1).
export * from './gen/mealpeak/testing/v1/echo.ts';
