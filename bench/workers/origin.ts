// The origin behind both gateways of the middleware benchmark: answers 200 with a short body.

export default {
  async fetch() {
    return new Response("ok");
  },
} satisfies ExportedHandler;
