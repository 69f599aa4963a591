# Después de que admisión abre un caso: ya no lo ve, así que sin este aviso la página del cliente
# no mostraría ningún caso.
client-notice-case-handed-over = El caso se abrió y se entregó al trabajador o al equipo que eligió. A partir de ahora solo ellos lo ven.
