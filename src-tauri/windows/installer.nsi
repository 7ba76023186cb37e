; Leadline's Windows installer: per user (no administrator rights), 64-bit, in the four
; languages of the app. Compiled by scripts/bundle.sh --windows with Debian's makensis:
;   makensis -DAPP_EXE=… -DLOADER_DLL=… -DLLAMA_SERVER=… -DICON=… -DVERSION=0.1.0 -DOUT=… installer.nsi
; Optional: -DFAST (no compression, for the test command's check of this script).
;
; Command-line options, besides NSIS's own /S (silent) and /D=folder:
;   /P            passive: only the progress page (what Tauri's updater asks for)
;   /UPDATE       an update of an installed Leadline: no language question, shortcut kept
;   /R            start Leadline when done, with everything after /ARGS as its arguments
;   /NOWEBVIEW2   never download Microsoft Edge WebView2 (offline installs, tests)
; The uninstaller takes /S too; a silent uninstall keeps the owner's data.

Unicode true
Target amd64-unicode
ManifestDPIAware true
!ifdef FAST
  SetCompress off
!else
  SetCompressor /SOLID lzma
!endif

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include x64.nsh
!include "Win\COM.nsh"
!include "Win\Propkey.nsh"

!define NAME "Leadline"
!define APP_ID "app.leadline.desktop"
!define PUBLISHER "Leadline"
!define EXE "leadline.exe"
!define SETTINGS_KEY "Software\Leadline"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Leadline"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define RUN_APPROVED_KEY "Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
; Microsoft's id of the Evergreen WebView2 Runtime, and its small online installer.
!define WEBVIEW2_ID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!define WEBVIEW2_URL "https://go.microsoft.com/fwlink/p/?LinkId=2124703"
!define SHORTCUT "$SMPROGRAMS\Leadline.lnk"

Name "${NAME}"
OutFile "${OUT}"
InstallDir "$LOCALAPPDATA\${NAME}"
InstallDirRegKey HKCU "${SETTINGS_KEY}" "InstallDir"
RequestExecutionLevel user
ShowInstDetails show
BrandingText "${NAME} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${NAME}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${NAME} installer"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "© 2026 ${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_LANGDLL_REGISTRY_ROOT HKCU
!define MUI_LANGDLL_REGISTRY_KEY "${SETTINGS_KEY}"
!define MUI_LANGDLL_REGISTRY_VALUENAME "Installer Language"

Var Passive
Var Update
Var Relaunch
Var RelaunchArgs

!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipInPassiveMode
!insertmacro MUI_PAGE_WELCOME
!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipInPassiveMode
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipInPassiveMode
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; The first is the default. Brazilian Portuguese: the app's Portuguese is Brazil's.
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Spanish"
!insertmacro MUI_LANGUAGE "PortugueseBR"
!insertmacro MUI_LANGUAGE "Arabic"
!insertmacro MUI_RESERVEFILE_LANGDLL
!include "languages.nsh"

; ---- The running app ---------------------------------------------------------------------

; Asks a running Leadline to quit the clean way (its browsers stopped): `leadline.exe --quit`
; is handed to it by its single-instance guard and starts nothing when none runs. Then waits
; until the program file can be replaced; after 30 s it is ended by force (its browsers go
; with it: they are in its Job Object), and if even that fails the owner is told, never left
; with a half-replaced install.
!macro STOP_RUNNING_LEADLINE un
Function ${un}WritableProgram
  ClearErrors
  FileOpen $R8 "$INSTDIR\${EXE}" a
  ${IfNot} ${Errors}
    FileClose $R8
    Push 1
  ${Else}
    Push 0
  ${EndIf}
FunctionEnd

Function ${un}StopRunningLeadline
  IfFileExists "$INSTDIR\${EXE}" 0 done
  DetailPrint "$(stoppingLeadline)"
  ExecWait '"$INSTDIR\${EXE}" --quit'
  StrCpy $R9 0
  wait:
    Call ${un}WritableProgram
    Pop $R8
    StrCmp $R8 1 done
    IntOp $R9 $R9 + 1
    ${If} $R9 = 60
      nsExec::Exec '"$SYSDIR\taskkill.exe" /F /IM ${EXE}'
      Pop $R8
    ${ElseIf} $R9 > 80
      MessageBox MB_OK|MB_ICONSTOP "$(stillRunning)" /SD IDOK
      SetErrorLevel 5
      Quit
    ${EndIf}
    Sleep 500
    Goto wait
  done:
FunctionEnd
!macroend
!insertmacro STOP_RUNNING_LEADLINE ""
!insertmacro STOP_RUNNING_LEADLINE "un."

; ---- Options -------------------------------------------------------------------------------

; $R0: the command line's parameters. Sets the flags; everything after "/ARGS " is kept whole
; for the relaunch (Tauri's updater escapes the slashes in it, so none reads as an option).
Function ReadOptions
  ${GetParameters} $R0
  StrCpy $Passive 0
  StrCpy $Update 0
  StrCpy $Relaunch 0
  StrCpy $RelaunchArgs ""
  ; The options before /ARGS only.
  StrCpy $R1 0
  StrLen $R2 $R0
  StrCpy $R3 $R0
  find_args:
    ${If} $R1 >= $R2
      Goto options
    ${EndIf}
    StrCpy $R4 $R0 6 $R1
    ${If} $R4 == "/ARGS "
      IntOp $R5 $R1 + 6
      StrCpy $RelaunchArgs $R0 "" $R5
      StrCpy $R3 $R0 $R1
      Goto options
    ${EndIf}
    IntOp $R1 $R1 + 1
    Goto find_args
  options:
  ClearErrors
  ${GetOptions} "$R3 " "/P" $R4
  ${IfNot} ${Errors}
    StrCpy $Passive 1
  ${EndIf}
  ClearErrors
  ${GetOptions} "$R3 " "/UPDATE" $R4
  ${IfNot} ${Errors}
    StrCpy $Update 1
  ${EndIf}
  ClearErrors
  ${GetOptions} "$R3 " "/R" $R4
  ${IfNot} ${Errors}
    StrCpy $Relaunch 1
  ${EndIf}
FunctionEnd

Function SkipInPassiveMode
  ${If} $Passive == 1
    Abort
  ${EndIf}
FunctionEnd

Function .onInit
  Call ReadOptions
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "$(needs64bit)" /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  ${If} $Passive == 1
    SetAutoClose true
  ${EndIf}
  ${IfNot} ${Silent}
  ${AndIf} $Passive == 0
  ${AndIf} $Update == 0
    !insertmacro MUI_LANGDLL_DISPLAY
  ${EndIf}
FunctionEnd

; ---- WebView2 ------------------------------------------------------------------------------

; Leadline's window is drawn by Microsoft Edge WebView2, on every Windows 11 and most
; Windows 10 PCs. When missing, its online installer is fetched (Windows' own curl, HTTPS
; only, certificates checked) and run; without internet the app is installed anyway and the
; owner is told what to install.
Function EnsureWebView2
  ReadRegStr $R0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_ID}" "pv"
  ${If} $R0 == ""
  ${OrIf} $R0 == "0.0.0.0"
    ReadRegStr $R0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_ID}" "pv"
  ${EndIf}
  ${If} $R0 != ""
  ${AndIf} $R0 != "0.0.0.0"
    DetailPrint "$(webview2Present) $R0"
    Return
  ${EndIf}
  ${GetParameters} $R1
  ClearErrors
  ${GetOptions} "$R1 " "/NOWEBVIEW2" $R2
  ${IfNot} ${Errors}
    DetailPrint "$(webview2Skipped)"
    Return
  ${EndIf}
  DetailPrint "$(webview2Downloading)"
  StrCpy $R3 "$TEMP\MicrosoftEdgeWebview2Setup.exe"
  Delete $R3
  nsExec::ExecToLog '"$SYSDIR\curl.exe" --fail --location --silent --show-error --proto =https --max-time 300 --output "$R3" "${WEBVIEW2_URL}"'
  Pop $R4
  ${If} $R4 != 0
  ${OrIfNot} ${FileExists} $R3
    DetailPrint "$(webview2Failed)"
    MessageBox MB_OK|MB_ICONEXCLAMATION "$(webview2Failed)" /SD IDOK
    Return
  ${EndIf}
  DetailPrint "$(webview2Installing)"
  ExecWait '"$R3" /silent /install' $R4
  Delete $R3
  ${If} $R4 != 0
    DetailPrint "$(webview2Failed)"
    MessageBox MB_OK|MB_ICONEXCLAMATION "$(webview2Failed)" /SD IDOK
  ${EndIf}
FunctionEnd

; ---- The shortcut's AppUserModelID ---------------------------------------------------------

; Windows shows an app's notifications only when a Start-menu shortcut carries the app's id
; (the one tauri-plugin-notification stamps on each toast). Set through the shortcut's
; property store: IShellLink, loaded from the file, asked for IPropertyStore, the id written
; as a VT_LPWSTR PROPVARIANT and committed, then the file saved.
Function SetShortcutAppId
  Exch $R0 ; the shortcut's path
  Push $R1
  Push $R2
  Push $R3
  Push $R4
  Push $R5
  Push $R6
  !insertmacro ComHlpr_CreateInProcInstance ${CLSID_ShellLink} ${IID_IShellLink} r11 ""
  ${If} $R1 P<> 0
    ${IUnknown::QueryInterface} $R1 '("${IID_IPersistFile}",.r12)'
    ${If} $R2 P<> 0
      ${IPersistFile::Load} $R2 '("$R0",${STGM_READWRITE})'
      ${IUnknown::QueryInterface} $R1 '("${IID_IPropertyStore}",.r13)'
      ${If} $R3 P<> 0
        System::Call '*(&w64 "${APP_ID}")p.r14'
        System::Call '*${SYSSTRUCT_PROPERTYKEY}(${PKEY_AppUserModel_ID})p.r15'
        System::Call '*${SYSSTRUCT_PROPVARIANT}(${VT_LPWSTR},,&i8 $R4)p.r16'
        ${IPropertyStore::SetValue} $R3 '($R5,$R6)'
        ${IPropertyStore::Commit} $R3 ""
        ${IUnknown::Release} $R3 ""
        ${IPersistFile::Save} $R2 '("$R0",1)'
        System::Free $R6
        System::Free $R5
        System::Free $R4
      ${EndIf}
      ${IUnknown::Release} $R2 ""
    ${EndIf}
    ${IUnknown::Release} $R1 ""
  ${EndIf}
  Pop $R6
  Pop $R5
  Pop $R4
  Pop $R3
  Pop $R2
  Pop $R1
  Pop $R0
FunctionEnd

; ---- Install -------------------------------------------------------------------------------

Section "Leadline" SecApp
  SectionIn RO
  Call StopRunningLeadline
  SetOutPath "$INSTDIR"
  File "/oname=${EXE}" "${APP_EXE}"
  ; A build for the GNU toolchain loads WebView2 through this DLL; without it the program
  ; does not start at all.
  File "/oname=WebView2Loader.dll" "${LOADER_DLL}"
  ; AI on this computer: llama.cpp's server, which the app starts and stops itself.
  File "/oname=llama-server.exe" "${LLAMA_SERVER}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; An update keeps the owner's choice: a shortcut they removed stays removed.
  ${If} $Update == 0
  ${OrIf} ${FileExists} "${SHORTCUT}"
    CreateShortCut "${SHORTCUT}" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0
    Push "${SHORTCUT}"
    Call SetShortcutAppId
  ${EndIf}

  WriteRegStr HKCU "${SETTINGS_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" '"$INSTDIR\${EXE}"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $R0 $R1 $R2
  IntFmt $R0 "0x%08X" $R0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $R0

  Call EnsureWebView2

  ${If} $Relaunch == 1
    Exec '"$INSTDIR\${EXE}" $RelaunchArgs'
  ${EndIf}
SectionEnd

; ---- Uninstall -----------------------------------------------------------------------------

Function un.onInit
  SetRegView 64
  !insertmacro MUI_UNGETLANGUAGE
FunctionEnd

Section "Uninstall"
  Call un.StopRunningLeadline
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\llama-server.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "${SHORTCUT}"
  ; "Start at login", if the owner had it on.
  DeleteRegValue HKCU "${RUN_KEY}" "${NAME}"
  DeleteRegValue HKCU "${RUN_APPROVED_KEY}" "${NAME}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "${SETTINGS_KEY}"

  ; The owner's data stays unless they say otherwise (a silent uninstall keeps it): leads,
  ; chats, settings and the WhatsApp logins, in the folders Tauri gives the app's id.
  MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 "$(deleteData)" /SD IDNO IDNO keep_data
    RMDir /r "$APPDATA\${APP_ID}"
    RMDir /r "$LOCALAPPDATA\${APP_ID}"
  keep_data:
SectionEnd
