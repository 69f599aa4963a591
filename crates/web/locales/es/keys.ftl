# Registros cifrados: lo que ve quien lee cuando un campo sellado no se puede abrir.
error-record_erased = El expediente de esta persona fue borrado; sus datos ya no se pueden leer.
error-key_unavailable = Este expediente está cifrado con una clave que el servidor no tiene. Pida a su administrador que revise el archivo de claves.
error-ciphertext_refused = Este expediente no superó su comprobación de integridad y no se muestra. Pida a su administrador que lo investigue.
error-ciphertext_malformed = Este expediente está dañado y no se pudo leer. Pida a su administrador que lo investigue.
