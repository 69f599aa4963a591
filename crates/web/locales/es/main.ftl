# Casework, español. Cada id debe estar también en en/main.ftl (lo comprueba una prueba).

app-name = Casework
skip-to-content = Saltar al contenido principal
nav-label = Principal
nav-caseload = Casos asignados
nav-clients = Personas usuarias
nav-users = Usuarios
nav-teams = Equipos
nav-programs = Programas
nav-audit = Registro de auditoría
sign-out = Cerrar sesión
sign-out-everywhere = Cerrar sesión en todas partes
language-label = Idioma
language-submit = Cambiar idioma
language-en = English
language-es = Español
save = Guardar
yes = Sí
no = No
list-next-page = Página siguiente

## Inicio de sesión
sign-in-title = Iniciar sesión
sign-in-submit = Entrar

## Campos
field-email = Correo electrónico
field-password = Contraseña
field-display-name = Nombre
field-role = Rol
field-team = Equipo
field-active = Activo
field-language = Idioma
field-name = Nombre
field-token-name = Nombre del token
field-plan-approval = El plan necesita aprobación de supervisión
field-closure-approval = El cierre necesita aprobación de supervisión
password-hint = Al menos 12 caracteres, no todos iguales.
team-none = Sin equipo

## Roles
role-caseworker = Trabajador/a social
role-supervisor = Supervisor/a
role-intake_worker = Responsable de admisión
role-admin = Administración de la agencia
role-auditor = Auditor/a

## Cuenta
account-title = Tu cuenta
account-language-heading = Idioma
tokens-heading = Tokens de API
tokens-explanation = Los programas usan tokens de API para trabajar con Casework en tu nombre. Revoca los tokens que ya no uses.
tokens-shown-once = Copia este token ahora. No se volverá a mostrar.
tokens-none = No tienes tokens de API.
tokens-created = Creado
tokens-last-used = Último uso
tokens-never-used = Nunca
tokens-state = Estado
tokens-revoked = Revocado
tokens-revoke = Revocar
tokens-create-heading = Crear un token
tokens-create = Crear token
sessions-heading = Sesiones
sessions-explanation = Cierra tu sesión en todos los dispositivos, también en este.
notice-token-revoked = El token se ha revocado.

## Administración
users-title = Usuarios
users-none = Todavía no hay usuarios.
users-access = Acceso
users-inactive = inactivo
users-create-heading = Añadir un usuario
users-create = Añadir usuario
notice-user-created = Se ha añadido el usuario.
notice-user-updated = Se ha cambiado el acceso del usuario.
teams-title = Equipos
teams-none = Todavía no hay equipos.
teams-create-heading = Añadir un equipo
teams-create = Añadir equipo
notice-team-created = Se ha añadido el equipo.
programs-title = Programas
programs-none = Todavía no hay programas.
programs-create-heading = Añadir un programa
programs-create = Añadir programa
notice-program-created = Se ha añadido el programa.

## Errores
error-title = Algo ha salido mal
error-go-home = Ir a la página de inicio
error-not_found = No hemos encontrado lo que buscas.
error-forbidden = No tienes permiso para hacer eso.
error-unauthenticated = Inicia sesión, por favor.
error-bad_credentials = El correo electrónico o la contraseña no son correctos.
error-throttled = Demasiados intentos fallidos. Espera unos minutos y vuelve a intentarlo.
error-stale = Alguien ha cambiado este registro desde que lo abriste. Revisa la versión actual y vuelve a hacer el cambio.
error-duplicate = Ya existe.
error-guard_unmet = Todavía falta el trabajo que requiere esta etapa.
error-transition_not_allowed = El caso no puede pasar a esa etapa desde aquí.
error-storage_error = No se ha podido acceder a los registros. Vuelve a intentarlo.
error-audit_unavailable = No se ha podido escribir el registro de auditoría, así que no se ha cambiado nada. Vuelve a intentarlo.
error-required = Este dato es obligatorio.
error-too_long = Es demasiado largo.
error-control_characters = Contiene caracteres no permitidos.
error-date_format = Escribe la fecha como AAAA-MM-DD.
error-date_in_future = La fecha no puede ser futura.
error-date_too_early = La fecha es demasiado antigua.
error-language_tag = Escribe un código de idioma como es o es-MX.
error-email_format = Escribe un correo electrónico como nombre@ejemplo.org.
error-phone_format = Escribe un teléfono solo con cifras, espacios y + ( ) -.
error-age_range = Escribe una edad entre 0 y 120.
error-too_many = Hay demasiadas entradas.
error-unknown_choice = Elige una de las opciones ofrecidas.
error-minutes_range = Escribe un número de minutos entre 1 y 1440.
error-cursor_format = La posición de la página no es válida; vuelve a la primera página.
error-password_too_short = La contraseña debe tener al menos 12 caracteres.
error-password_too_simple = La contraseña es demasiado simple; usa más caracteres distintos.
error-password_unusable = Esta contraseña no se puede usar; elige otra.
error-reason_too_short = Explica el motivo con más detalle.
error-reason_too_long = El motivo es demasiado largo.
error-csrf_failed = Este formulario ha caducado o no procede de Casework. Vuelve atrás, recarga la página e inténtalo de nuevo.
error-internal_error = Algo ha fallado por nuestra parte. Vuelve a intentarlo.
error-payload_too_large = Lo que has enviado es demasiado grande.
error-method_not_allowed = Esa acción no es posible aquí.
error-unsupported_media_type = Envía el cuerpo de la petición en JSON (Content-Type: application/json).
error-bad_request = La petición no es válida.
error-unavailable = El servidor está ocupado o ha tardado demasiado. Vuelve a intentarlo.
error-malformed_json = El cuerpo de la petición no es JSON válido.
error-unknown_field = Este campo no se reconoce.
error-wrong_type = Este valor tiene un tipo incorrecto.
error-precondition_required = Envía la versión que leíste en una cabecera If-Match.
error-not_a_worker = Elige a un trabajador/a social o supervisor/a activo.
error-same_record = Elige dos registros distintos.
error-already_merged = Este registro ya se fusionó con otro.
error-out_of_range = Este número está fuera del rango permitido.

## Lo que falta en una etapa (requisitos), por código `Unmet`
unmet-consent_to_services_missing = Registra el consentimiento de la persona a los servicios.
unmet-no_contact = Registra al menos un contacto.
unmet-assessment_incomplete = Completa la valoración.
unmet-no_needs_assessed = Indica al menos una necesidad en la valoración.
unmet-no_strengths_assessed = Indica al menos una fortaleza en la valoración.
unmet-no_agreed_smart_goal = Acuerda con la persona al menos un objetivo SMART.
unmet-goal_without_intervention = Asigna una intervención a cada objetivo activo.
unmet-no_active_goal = Mantén al menos un objetivo activo.
unmet-plan_not_agreed = Registra el acuerdo de la persona con el plan.
unmet-plan_not_approved = Una persona supervisora debe aprobar el plan.
unmet-no_evaluation = Registra una evaluación.
unmet-no_evaluation_decision = Registra la decisión de la evaluación: continuar o cerrar.
unmet-evaluation_decided_continue = La evaluación decidió continuar, no cerrar.
unmet-evaluation_decided_close = La evaluación decidió cerrar, no continuar.
unmet-no_closing_summary = Escribe el resumen de cierre.
unmet-closure_not_approved = Una persona supervisora debe aprobar el cierre.
unmet-follow_ups_pending = Termina los seguimientos programados o reabre el caso.
