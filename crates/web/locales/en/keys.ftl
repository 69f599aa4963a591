# Encrypted records: what a reader sees when a sealed field cannot be opened.
error-record_erased = This client's record was erased; its details can no longer be read.
error-key_unavailable = This record is encrypted with a key the server does not have. Ask your administrator to check the key file.
error-ciphertext_refused = This record failed its integrity check and was not shown. Ask your administrator to investigate.
error-ciphertext_malformed = This record is damaged and could not be read. Ask your administrator to investigate.
