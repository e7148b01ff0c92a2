#if os(Linux)
import Storage

// Everything LocalStorage offers beyond the required primitives, in one list.
extension LocalStorage: ExplicitDirectories {}
extension LocalStorage: RandomAccessWriting {}
extension LocalStorage: ServerSideMoving {}
extension LocalStorage: ServerSideCopying {}
extension LocalStorage: Symlinking {}
extension LocalStorage: HardLinking {}
extension LocalStorage: AttributeSetting {}
extension LocalStorage: SpaceReporting {}
extension LocalStorage: ReadHandleOpening {}
#endif
