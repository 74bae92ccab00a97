; Inno Setup script: wraps dist\notebridge (from `pyinstaller build.spec`) into a per-user installer.
[Setup]
AppName=Notebridge
AppVersion=0.1.0
AppPublisher=Notebridge
DefaultDirName={localappdata}\Programs\Notebridge
DefaultGroupName=Notebridge
PrivilegesRequired=lowest
OutputBaseFilename=NotebridgeSetup
Compression=lzma2
SolidCompression=yes

[Files]
Source: "..\..\dist\notebridge\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Notebridge"; Filename: "{app}\notebridge.exe"
Name: "{userdesktop}\Notebridge"; Filename: "{app}\notebridge.exe"

[Run]
Filename: "{app}\notebridge.exe"; Description: "Start Notebridge"; Flags: nowait postinstall skipifsilent
