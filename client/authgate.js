/* authgate client: placeholder until the client script lands. */
