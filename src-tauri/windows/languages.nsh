; The installer's own words, in the app's four languages (NSIS's pages bring theirs).

LangString stoppingLeadline ${LANG_ENGLISH} "Closing Leadline (it starts again when you open it)…"
LangString stoppingLeadline ${LANG_SPANISH} "Cerrando Leadline (vuelve a arrancar cuando lo abra)…"
LangString stoppingLeadline ${LANG_PORTUGUESEBR} "Fechando o Leadline (ele volta quando você o abrir)…"
LangString stoppingLeadline ${LANG_ARABIC} "جارٍ إغلاق Leadline (سيعمل من جديد عند فتحه)…"

LangString stillRunning ${LANG_ENGLISH} "Leadline is still running and could not be closed. Quit it from its icon next to the clock (Quit Leadline), then run this again."
LangString stillRunning ${LANG_SPANISH} "Leadline sigue abierto y no se pudo cerrar. Ciérrelo desde su icono junto al reloj (Salir de Leadline) y vuelva a ejecutar esto."
LangString stillRunning ${LANG_PORTUGUESEBR} "O Leadline ainda está aberto e não pôde ser fechado. Feche-o pelo ícone ao lado do relógio (Sair do Leadline) e execute isto de novo."
LangString stillRunning ${LANG_ARABIC} "لا يزال Leadline يعمل وتعذّر إغلاقه. أغلقه من أيقونته بجانب الساعة (أغلق Leadline) ثم شغّل هذا من جديد."

LangString needs64bit ${LANG_ENGLISH} "Leadline needs 64-bit Windows 10 or 11."
LangString needs64bit ${LANG_SPANISH} "Leadline necesita Windows 10 u 11 de 64 bits."
LangString needs64bit ${LANG_PORTUGUESEBR} "O Leadline precisa do Windows 10 ou 11 de 64 bits."
LangString needs64bit ${LANG_ARABIC} "يحتاج Leadline إلى Windows 10 أو 11 بنظام 64 بت."

LangString webview2Present ${LANG_ENGLISH} "Microsoft Edge WebView2 is installed:"
LangString webview2Present ${LANG_SPANISH} "Microsoft Edge WebView2 está instalado:"
LangString webview2Present ${LANG_PORTUGUESEBR} "O Microsoft Edge WebView2 está instalado:"
LangString webview2Present ${LANG_ARABIC} "Microsoft Edge WebView2 مثبّت:"

LangString webview2Skipped ${LANG_ENGLISH} "Microsoft Edge WebView2 was not downloaded, as asked. Leadline's window needs it."
LangString webview2Skipped ${LANG_SPANISH} "No se descargó Microsoft Edge WebView2, como se pidió. La ventana de Leadline lo necesita."
LangString webview2Skipped ${LANG_PORTUGUESEBR} "O Microsoft Edge WebView2 não foi baixado, como pedido. A janela do Leadline precisa dele."
LangString webview2Skipped ${LANG_ARABIC} "لم يُنزَّل Microsoft Edge WebView2 كما طُلب. نافذة Leadline تحتاج إليه."

LangString webview2Downloading ${LANG_ENGLISH} "Downloading Microsoft Edge WebView2, which Leadline's window needs…"
LangString webview2Downloading ${LANG_SPANISH} "Descargando Microsoft Edge WebView2, que la ventana de Leadline necesita…"
LangString webview2Downloading ${LANG_PORTUGUESEBR} "Baixando o Microsoft Edge WebView2, de que a janela do Leadline precisa…"
LangString webview2Downloading ${LANG_ARABIC} "جارٍ تنزيل Microsoft Edge WebView2 الذي تحتاج إليه نافذة Leadline…"

LangString webview2Installing ${LANG_ENGLISH} "Installing Microsoft Edge WebView2…"
LangString webview2Installing ${LANG_SPANISH} "Instalando Microsoft Edge WebView2…"
LangString webview2Installing ${LANG_PORTUGUESEBR} "Instalando o Microsoft Edge WebView2…"
LangString webview2Installing ${LANG_ARABIC} "جارٍ تثبيت Microsoft Edge WebView2…"

LangString webview2Failed ${LANG_ENGLISH} "Microsoft Edge WebView2 could not be installed (is this computer online?). Leadline is installed, but its window needs WebView2: install the “WebView2 Runtime” from Microsoft's website, then open Leadline."
LangString webview2Failed ${LANG_SPANISH} "No se pudo instalar Microsoft Edge WebView2 (¿tiene conexión a internet?). Leadline está instalado, pero su ventana necesita WebView2: instale el “WebView2 Runtime” desde el sitio de Microsoft y luego abra Leadline."
LangString webview2Failed ${LANG_PORTUGUESEBR} "Não foi possível instalar o Microsoft Edge WebView2 (o computador está conectado à internet?). O Leadline está instalado, mas a janela dele precisa do WebView2: instale o “WebView2 Runtime” pelo site da Microsoft e depois abra o Leadline."
LangString webview2Failed ${LANG_ARABIC} "تعذّر تثبيت Microsoft Edge WebView2 (هل الحاسوب متصل بالإنترنت؟). تم تثبيت Leadline لكن نافذته تحتاج إلى WebView2: ثبّت “WebView2 Runtime” من موقع Microsoft ثم افتح Leadline."

LangString deleteData ${LANG_ENGLISH} "Also delete your Leadline data on this computer: leads, chats, settings and the WhatsApp links? This can't be undone. Choose No to keep them for a later install."
LangString deleteData ${LANG_SPANISH} "¿Borrar también sus datos de Leadline en este equipo: clientes potenciales, conversaciones, ajustes y los números de WhatsApp vinculados? No se puede deshacer. Elija No para conservarlos para otra instalación."
LangString deleteData ${LANG_PORTUGUESEBR} "Apagar também os seus dados do Leadline neste computador: leads, conversas, configurações e os números de WhatsApp conectados? Isso não pode ser desfeito. Escolha Não para guardá-los para outra instalação."
LangString deleteData ${LANG_ARABIC} "هل تريد أيضًا حذف بيانات Leadline على هذا الحاسوب: العملاء المحتملين والمحادثات والإعدادات وأرقام WhatsApp المرتبطة؟ لا يمكن التراجع عن ذلك. اختر لا للاحتفاظ بها لتثبيت لاحق."
